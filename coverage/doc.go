// Package coverage measures what a run explored, as abstract protocol states and transitions
// computed from observations only: what every engine reports to the cluster (roles, terms,
// the terms of saved entries, commit indexes, votes granted, configuration entries) and the
// run's timeline (crashes, restarts, faults, the heal). No engine is instrumented, so the same
// features mean the same thing for our raft, etcd raft or a user's engine.
//
// A Tracker is a cluster.Observer: set it as cluster.Options.Observer and read its Set after
// the run. A Set is a coverage value: feature names, mergeable across runs, with a count.
// A run with a tracker has the same result and trace hash as without one.
//
// # Features
//
// A feature is a family and one value per dimension of the family, named
// "family/dim=value/dim=value...", e.g. "state/role=follower/term=equal/log=behind/lag=1-4/phase=steady".
// The relations used below:
//
//   - the leader is the up node leading in the highest term; none while no node leads.
//   - log: how a node's log stands to the leader's, by the terms of entries (the log is
//     tracked as runs of terms): equal; behind (a strict prefix of the leader's); ahead
//     (extends the leader's: entries the leader does not have, e.g. an old leader's
//     uncommitted tail or a follower that the new leader has not yet reached); divergent
//     (the two logs disagree on the term of an entry, so one must be truncated).
//   - term: the node's current term against the leader's: lower, equal, higher.
//   - lag: the leader's commit index minus the node's, bucketed 0, 1-4, 5-32, 33+, or ahead
//     (the node knows a higher commit than a freshly elected leader has learned).
//   - phase: heal once the run lifted every fault; else election while no node leads; else
//     config while the leader's log holds a configuration entry it has not committed; else steady.
//   - uncommitted: a node's last index minus its commit index: 0, 1-4, 5+.
//
// | family | dimensions | when it is reached | what it shows |
// |---|---|---|---|
// | state | role, term, log, lag, phase | a node's state changes while a node leads (every up node's when the leader's changes) | each node's standing against the leader: a follower divergent from the leader, a deposed leader in a lower term, a candidate with a higher term |
// | leaderless | role, log, phase | a node's state changes while no node leads; log is against the most up-to-date up node (never ahead) | who holds the freshest log during an election |
// | role-change | from, to, uncommitted, phase | a node changes role | stepping down while holding uncommitted entries (from=leader, uncommitted=1-4 or 5+), a pre-candidate winning through, a learner promoted |
// | term-jump | role, jump (1, 2-3, 4+) | a node's term rises | a node rejoining after a partition far behind in term |
// | truncate | role, entries (1, 2-8, 9+), committed | a node's saved entries overwrite its log | a follower losing an old leader's uncommitted tail; committed=yes is a safety bug (it never happens in a correct Raft) |
// | snapshot | role, log-before | a node installs a snapshot | a follower caught up by snapshot from behind or from a divergent log |
// | vote | role, candidate-log (older, equal, newer), phase | a node grants a vote | candidate-log=older is a safety bug (the voter's log is more up to date, §5.4.1); candidate names follow both built-in engines (node id + 1) |
// | fault | kind, target (a role, down, or cluster for faults on no single node), phase | a fault of the schedule starts | which fault struck which role in which phase: a crash of the leader during a configuration change, a partition during an election |
// | commit | advance (1, 2-8, 9-64, 65+), earlier-terms, phase | the leader's commit index advances | a commit that carries entries of earlier terms by counting replicas of one of its own (§5.4.2, the Figure 8 situation) |
// | quorum | up-to-date (leader-only, minority, majority, all), leaders (1, 2+), phase | the leader's state changes | how many members hold the leader's whole log; two leaders at once (in different terms) |
// | restart | log, phase | a node restarts from its disk | a node coming back behind, equal, ahead of or divergent from the leader (log=no-leader: none up to compare with) |
// | depth | measure (elections, max-term, step-downs, truncations, restarts, divergent-at-once), reached (1, 2-3, 4-7, 8-15, 16-31, 32+) | a measure of the run reaches a level (every lower level too) | how far into trouble the run went: eight elections, a term of 32, four nodes divergent from the leader at once; levels are ladders a guided search climbs |
//
// Every combination is a feature (All lists them); many are unreachable in a correct Raft
// (a leader with a lower term than itself, committed truncations, votes for older logs), so
// "never reached" lists are read family by family. Messages received per role are not
// features: observations do not carry received messages, and decoding every message with
// the engine's Describe would cost more than the budget (10% of a run) allows.
package coverage
