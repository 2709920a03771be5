package reports

import "html/template"

// pageTemplates holds the run page ("run") and the sweep page ("sweep"). They share the style
// sheet and the config table. Everything is inline: the pages load nothing.
var pageTemplates = template.Must(template.New("pages").Parse(cssTemplate + partsTemplate + scriptTemplate + runTemplate + historyTemplate + statesTemplate + sweepTemplate + coverageTemplate))

const cssTemplate = `{{define "css"}}<style>
:root{--ok:#4c8fd6;--fail:#e8488b;--unknown:#f0a020;--red:#d62728;--ink:#1d2430;--mute:#667085;--line:#e3e7ee}
*{box-sizing:border-box}
body{margin:0;padding:20px 28px 60px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);background:#f6f7f9}
h1{font-size:22px;margin:0 0 6px}h2{font-size:17px;margin:28px 0 8px;padding-bottom:4px;border-bottom:1px solid var(--line)}
a{color:#2457c5}
.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:10px 0}
.badge{display:inline-block;padding:2px 10px;border-radius:12px;font-weight:700;color:#fff;margin-right:8px;vertical-align:2px;font-size:13px}
.badge.fail{background:var(--red)}.badge.pass{background:#2e9e5b}
.kinds span{display:inline-block;white-space:nowrap;background:#fde8e8;color:#9b1c1c;border-radius:4px;padding:1px 7px;margin:0 4px 4px 0;font-size:13px}
.mutant{display:inline-block;background:#fff4d6;color:#7a4b00;border-radius:4px;padding:1px 7px;margin-right:4px;font-size:13px}
.meta{color:var(--mute);margin:4px 0}
.meta code{color:var(--ink)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12.5px}
pre{background:#f3f4f7;border:1px solid var(--line);border-radius:6px;padding:8px 10px;overflow:auto;white-space:pre-wrap;word-break:break-word;max-height:420px}
.replay{display:flex;gap:8px;align-items:center;margin-top:8px}
.replay code{flex:1;background:#0f172a;color:#e2e8f0;padding:8px 10px;border-radius:6px;user-select:all;overflow-x:auto;white-space:nowrap}
button{font:inherit;font-size:13px;padding:6px 12px;border-radius:6px;border:1px solid #c8ced8;background:#fff;cursor:pointer}
.grid2{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:14px}
dl.kv{display:grid;grid-template-columns:repeat(auto-fill,minmax(200px,1fr));gap:2px 14px;margin:0}
dl.kv div{display:flex;flex-wrap:wrap;justify-content:space-between;gap:0 8px;border-bottom:1px dotted var(--line);padding:2px 0}
dl.kv dt{color:var(--mute);min-width:0;overflow-wrap:anywhere}
dl.kv dd{margin:0 0 0 auto;flex:0 1 auto;max-width:100%;min-width:0;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px;text-align:right;overflow-wrap:anywhere}
dl.kv .changed dd{font-weight:700;background:#fff4d6;padding:0 4px;border-radius:3px}
table.t{border-collapse:collapse;width:100%;background:#fff}
table.t th,table.t td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
table.t th{background:#f0f2f5;font-weight:600;font-size:13px}
table.t td.detail{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;word-break:break-word}
table.t td.num{text-align:right;font-variant-numeric:tabular-nums}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:12.5px;color:#344054;margin:6px 0}
.legend span{display:inline-flex;align-items:center;gap:5px}
.sw{display:inline-block;width:14px;height:10px;border-radius:2px}
.tl{display:flex;background:#fff;border:1px solid var(--line);border-radius:8px;overflow:hidden}
.tl .scroll{overflow-x:auto;flex:1}
.tl svg.lanes{flex:none;border-right:1px solid var(--line);background:#fafbfc}
svg text{font-size:10px;fill:#344054}
svg .tick{text-anchor:middle;fill:var(--mute)}svg .ytick{text-anchor:end;fill:var(--mute)}
svg .axis-label{text-anchor:end;fill:var(--mute)}
svg .grid{stroke:#eef0f4;stroke-width:1}svg .axis{stroke:#98a2b3;stroke-width:1}
svg .lbl-n,svg .lbl-f,svg .lbl-v,svg .lbl-c{text-anchor:end;font-size:11px}
svg .lbl-n{font-weight:600}svg .lbl-c{font-size:8.5px;fill:var(--mute)}svg .lbl-v{fill:var(--red);font-weight:600}
.lane0{fill:#fff}.lane1{fill:#f7f8fa}
.r-follower{fill:#a9c7e8}.r-pre-candidate{fill:#f6dc7a}.r-candidate{fill:#f39c4a}.r-leader{fill:#238b45}.r-other{fill:#c9ccd3}.r-up{fill:#e2e5ea}
.sw.r-follower{background:#a9c7e8}.sw.r-pre-candidate{background:#f6dc7a}.sw.r-candidate{background:#f39c4a}.sw.r-leader{background:#238b45}.sw.r-up{background:#e2e5ea}
.life-down{fill:#3b3f46}.life-removed{fill:#d0d3d9;stroke:#8a909c;stroke-dasharray:3 2}.life-paused{fill:url(#hatch)}
.sw.life-down{background:#3b3f46}.sw.life-removed{background:#d0d3d9;border:1px dashed #8a909c}
.sw.life-paused{background:repeating-linear-gradient(45deg,#555 0 2px,#eee 2px 5px)}
svg .term{font-size:9px;fill:var(--mute)}
.refused{stroke:#b42318;stroke-width:2.2}
.member{fill:#8e44ad;stroke:#fff;stroke-width:1}
.vdot{fill:var(--red);stroke:#fff;stroke-width:1.2}
.vmark{fill:var(--red);stroke:#7a0f10;stroke-width:.6}.vmark:target{stroke:#000;stroke-width:3}
.vline{stroke:var(--red);stroke-width:1;stroke-dasharray:4 3;opacity:.7}
svg .vlabel{fill:var(--red);font-weight:600}svg .end{text-anchor:end}
.heal{stroke:#1f4e9c;stroke-width:1.6;stroke-dasharray:6 3}svg .heal-label{fill:#1f4e9c;font-weight:600}
.f-net{fill:#7b61c2;stroke:#7b61c2}.f-proc{fill:#5f6673;stroke:#5f6673}.f-disk{fill:#a0642a;stroke:#a0642a}
.f-clock{fill:#138a7e;stroke:#138a7e}.f-member{fill:#c2267a;stroke:#c2267a}.f-other{fill:#888;stroke:#888}
.sw.f-net{background:#7b61c2}.sw.f-proc{background:#5f6673}.sw.f-disk{background:#a0642a}.sw.f-clock{background:#138a7e}.sw.f-member{background:#c2267a}
.band{fill-opacity:.10;stroke:none}.strip{stroke:none}.fline{stroke-width:1.5;opacity:.6}
.fbar{fill-opacity:.6;stroke:none}.fbar.skipped{fill-opacity:0;stroke-width:1;stroke-dasharray:2 2}
svg .flabel{font-size:9.5px;fill:#344054}
.op-ok,.pt-ok{fill:var(--ok)}.op-fail,.pt-fail{fill:var(--fail)}.op-unknown,.pt-unknown{fill:var(--unknown)}
.sw.ok{background:var(--ok)}.sw.fail{background:var(--fail)}.sw.unknown{background:var(--unknown)}
.pt-ok,.pt-fail,.pt-unknown{fill-opacity:.75}
.tp-ok,.tp-fail,.tp-unknown{fill:none;stroke-width:1.8}
.tp-ok{stroke:var(--ok)}.tp-fail{stroke:var(--fail)}.tp-unknown{stroke:var(--unknown)}
.plot{background:#fff;border:1px solid var(--line);border-radius:8px;padding:6px;overflow-x:auto}
.plot h3{font-size:14px;margin:4px 6px}
iframe.porcupine{width:100%;height:640px;border:1px solid var(--line);border-radius:8px;background:#fff;resize:vertical}
details summary{cursor:pointer;font-weight:600;margin:6px 0}
.kinds a{text-decoration:none}.kinds b{font-weight:600;margin-left:4px}
.vote-line{stroke:#6941c6;stroke-width:1.2}.vote-head{fill:#6941c6}.vote-dot{fill:#fff;stroke:#6941c6;stroke-width:1.4}
.q-p50,.q-p95,.q-p99{fill:none;stroke-width:1.8}.qpt{stroke:none}
.q-p50{stroke:#2e7d32}.q-p95{stroke:#ef6c00}.q-p99{stroke:#c62828}.qpt.q-p50{fill:#2e7d32}.qpt.q-p95{fill:#ef6c00}.qpt.q-p99{fill:#c62828}
.sw.q-p50{background:#2e7d32}.sw.q-p95{background:#ef6c00}.sw.q-p99{background:#c62828}
.plot svg{display:block;width:100%;min-width:720px;height:auto}
table.t.st{width:auto;min-width:50%}table.st td{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;padding:2px 8px}
table.st td.ch{font-weight:700;background:#fff4d6}table.st tr.focus td.n{font-weight:700;color:#9b1c1c}
table.st tr.ev td{font-family:inherit;font-style:italic}table.st tr.vote td{color:#6941c6}table.st tr.violation td{color:var(--red);font-weight:600;font-style:normal}table.st tr.none td{color:var(--mute)}
table.t tr.mark td{background:#fde8e8}
details.win{background:#fff;border:1px solid var(--line);border-radius:8px;padding:4px 12px;margin:8px 0}
.note{color:var(--mute);font-size:13px}
</style>{{end}}`

const partsTemplate = `{{define "config"}}<dl class="kv">{{range .}}<div{{if .Changed}} class="changed" title="differs from the default"{{end}}><dt>{{.Name}}</dt><dd>{{.Value}}</dd></div>{{end}}</dl>{{end}}
{{define "faultlegend"}}<span><i class="sw f-net"></i>network (bands across all lanes)</span><span><i class="sw f-proc"></i>crash / pause</span><span><i class="sw f-disk"></i>disk</span><span><i class="sw f-clock"></i>clock drift</span><span><i class="sw f-member"></i>membership</span>{{end}}
{{define "oplegend"}}<span><i class="sw ok"></i>ok</span><span><i class="sw fail"></i>fail</span><span><i class="sw unknown"></i>unknown (indeterminate)</span>{{end}}`

const runTemplate = `{{define "run"}}<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.Title}}</title>{{template "css"}}{{template "script"}}</head><body>
<header class="card">
<h1>{{if .Failed}}<span class="badge fail">FAIL</span>{{else}}<span class="badge pass">PASS</span>{{end}}raftcheck run, seed {{.Seed}}</h1>
{{if .Failed}}<div class="kinds" title="in the order first seen">{{range .Kinds}}<a href="#{{.ID}}"><span>{{.Kind}}{{if gt .Count 1}}<b>×{{.Count}}</b>{{end}}</span></a>{{end}}</div>{{else}}<div class="meta">No violation found.</div>{{end}}
{{if .Mutants}}<div class="meta">planted bugs: {{range .Mutants}}<span class="mutant">{{.}}</span>{{end}}</div>{{end}}
<div class="meta">{{if .Engine}}engine <code>{{.Engine}}</code> · {{end}}seed <code>{{.Seed}}</code> · trace hash <code>{{.TraceHash}}</code> · linearizability <code>{{.Lin}}</code></div>
<div class="replay"><code id="replay">{{.Replay}}</code><button type="button" onclick="copyReplay(this)">copy</button></div>
</header>
<div class="grid2">
<section class="card"><h2 style="margin-top:0">Config</h2>{{template "config" .Config}}<p class="note">Highlighted values differ from the default config.</p></section>
<section class="card" id="stats"><h2 style="margin-top:0">Stats</h2><dl class="kv">{{range .Stats}}<div><dt>{{.Name}}</dt><dd>{{.Value}}</dd></div>{{end}}</dl><p class="note">Latency quantiles: operations that completed ok, simulated time.</p></section>
</div>
{{if .Notes}}<section class="card"><h2 style="margin-top:0">Checks and the engine's semantics</h2><ul>{{range .Notes}}<li>{{.}}</li>{{end}}</ul></section>{{end}}
<h2 id="violations">Violations ({{len .Violations}})</h2>
{{if .Violations}}<table class="t violations"><tr><th>#</th><th>kind</th><th>time</th><th>nodes</th><th>detail</th></tr>
{{range .Violations}}<tr class="violation"><td class="num">{{.N}}</td><td style="white-space:nowrap"><a href="#{{.ID}}" title="show on the timeline">{{.Kind}}</a></td><td class="num">{{.Time}}</td><td>{{.Nodes}}</td><td class="detail">{{.Detail}}</td></tr>
{{end}}</table>{{else}}<p class="note">None: every checker passed.</p>{{end}}
<h2 id="timeline">Timeline</h2>
<div class="legend"><span><i class="sw r-follower"></i>follower</span><span><i class="sw r-pre-candidate"></i>pre-candidate</span><span><i class="sw r-candidate"></i>candidate</span><span><i class="sw r-leader"></i>leader</span><span><i class="sw r-up"></i>up, no role yet</span><span><i class="sw life-down"></i>down</span><span><i class="sw life-paused"></i>paused</span><span><i class="sw life-removed"></i>removed</span>
<span><svg width="12" height="12"><line x1="2" y1="2" x2="10" y2="10" class="refused"/><line x1="2" y1="10" x2="10" y2="2" class="refused"/></svg>refused start</span><span><svg width="10" height="12"><polygon points="5,1 9,6 5,11 1,6" class="member"/></svg>membership change</span><span><svg width="12" height="22"><circle cx="6" cy="3.5" r="2.4" class="vote-dot"/><line x1="6" y1="6" x2="6" y2="16" class="vote-line"/><polygon points="3,16 9,16 6,21" class="vote-head"/></svg>vote: voter ○ → candidate</span><span><svg width="12" height="12"><polygon points="0,1 12,1 6,11" class="vmark"/></svg>violation</span><span><svg width="14" height="12"><line x1="7" y1="0" x2="7" y2="12" class="heal"/></svg>heal</span></div>
<div class="legend">{{template "faultlegend"}}<span>· client ops:</span>{{template "oplegend"}}<span class="note">tN: term N · hover for details</span></div>
<div class="tl">{{.Timeline.Labels}}<div class="scroll">{{.Timeline.Chart}}</div></div>
{{if lt .OpsDrawn .History.All.Total}}<p class="note">The timeline and the latency plot show the first {{.OpsDrawn}} of {{.History.All.Total}} operations.</p>{{end}}
{{template "states" .States}}
<h2 id="linearizability">Linearizability: {{.Lin}}</h2>
{{if .LinDetail}}<pre>{{.LinDetail}}</pre>{{end}}
{{if .PorcupineErr}}<p class="note">{{.PorcupineErr}}</p>{{end}}
{{if .Porcupine}}<p class="note">Porcupine's visualisation of the longest partial linearizations (scroll inside the frame; drag its corner to resize). {{.PorcupineOn}}</p>
<iframe class="porcupine" title="Porcupine visualisation" srcdoc="{{.Porcupine}}" onload="fitFrame(this)"></iframe>{{end}}
<h2 id="performance">Performance</h2>
<div class="legend">{{template "oplegend"}}<span>· faults:</span>{{template "faultlegend"}}</div>
<div class="plot"><h3>Latency by invocation time (log scale)</h3>{{.Latency}}</div>
<div class="plot" style="margin-top:12px"><h3>Latency quantiles of ok operations by invocation time (log scale){{if .LatencyQ}}: overall {{.LatencyQ}}{{end}}</h3>
<div class="legend"><span><i class="sw q-p50"></i>p50</span><span><i class="sw q-p95"></i>p95</span><span><i class="sw q-p99"></i>p99</span><span class="note">per window of invocation time; hover a point for its window and count</span></div>{{.Quantiles}}</div>
<div class="plot" style="margin-top:12px"><h3>Throughput: completed operations per second</h3>{{.Throughput}}</div>
<h2 id="schedule">Schedule</h2>
{{if .Schedule}}<pre>{{.Schedule}}</pre>{{else}}<p class="note">No faults.</p>{{end}}
<h2 id="history">History</h2>
{{with .History}}{{if .Near.Total}}{{template "histtable" .Near}}{{end}}{{range .Partitions}}{{template "histtable" .}}{{end}}
<details id="history-all"><summary>All operations: {{if lt (len .All.Rows) .All.Total}}first {{len .All.Rows}} of {{.All.Total}}{{else}}{{.All.Total}}{{end}}</summary>
{{template "histrows" .All.Rows}}</details>{{end}}
{{if .Trace}}<details><summary>Trace: {{if lt (len .Trace) .TraceTotal}}first {{len .Trace}} of {{.TraceTotal}}{{else}}{{.TraceTotal}}{{end}} lines</summary><pre>{{range .Trace}}{{.}}
{{end}}</pre></details>{{end}}
</body></html>{{end}}`

// historyTemplate renders a focused history table ("histtable") and the rows of any
// ("histrows").
const historyTemplate = `{{define "histtable"}}<h3 id="{{.ID}}">{{.Title}}{{if lt (len .Rows) .Total}} (first {{len .Rows}} of {{.Total}}){{end}}</h3>
<p class="note">{{.Note}}</p>{{template "histrows" .Rows}}{{end}}
{{define "histrows"}}<table class="t"><tr><th>#</th><th>client</th><th>op</th><th>outcome</th><th>reply</th><th>call</th><th>return</th><th>latency</th><th></th></tr>
{{range .}}<tr{{if .Mark}} class="mark"{{end}}><td class="num">{{.N}}</td><td class="num">{{.Client}}</td><td class="detail">{{.Op}}</td><td><i class="sw {{.Outcome}}"></i> {{.Outcome}}</td><td class="detail">{{.Reply}}</td><td class="num">{{.Call}}</td><td class="num">{{.Return}}</td><td class="num">{{.Latency}}</td><td>{{.Note}}</td></tr>
{{end}}</table>{{end}}`

// statesTemplate renders the node-state section.
const statesTemplate = `{{define "states"}}<section id="node-state"><h2>Node state</h2>
<p class="note">Each node's persistent Raft state as its host saw it: term, vote (the node it voted for), last log entry (index/term) and commit index. A sample is taken when a node's term or vote changes or it restarts, and at most every 250 ms while its log or commit index moves; highlighted: since the node's previous sample, a new term or vote, a log end that went back or whose entry changed term, a commit index that went back. {{.Samples}} samples.</p>
{{range .Windows}}<details class="win"{{if .Open}} open{{end}}><summary>{{.Title}}</summary>
<p class="note">State of each node at {{.At}}:</p>{{template "staterows" .AtRows}}
<p class="note">Samples, votes and violations in the window{{if lt (len .Rows) .Total}} (first {{len .Rows}} of {{.Total}}){{end}}; highlighted nodes are named by these violations:</p>{{template "staterows" .Rows}}</details>
{{end}}{{if .Hidden}}<p class="note">{{.Hidden}} later groups of violations are not shown here; every sample is in the table below.</p>{{end}}
{{if not .Windows}}<p class="note">Each node's last sample:</p>{{template "staterows" .Final}}{{end}}
<details class="win"><summary>All samples: {{if lt (len .All) .AllTotal}}first {{len .All}} of {{.AllTotal}}{{else}}{{.AllTotal}}{{end}}</summary>{{template "staterows" .All}}</details></section>{{end}}
{{define "staterows"}}<table class="t st"><tr><th>time</th><th>node</th><th>term</th><th>voted for</th><th>last index/term</th><th>commit</th></tr>
{{range .}}{{if .Event}}<tr class="ev {{.EventClass}}"><td class="num">{{.Time}}</td><td class="num">{{if ge .Node 0}}{{.Node}}{{end}}</td><td colspan="4">{{.Event}}</td></tr>
{{else}}<tr{{if .Focus}} class="focus"{{end}}><td class="num">{{.Time}}</td><td class="num n">{{.Node}}</td><td class="num{{if .TermCh}} ch{{end}}">{{.Term}}</td><td class="num{{if .VoteCh}} ch{{end}}">{{.Vote}}</td><td class="num{{if .LastCh}} ch{{end}}">{{.Last}}</td><td class="num{{if .CommitCh}} ch{{end}}">{{.Commit}}</td></tr>
{{end}}{{end}}</table>{{end}}`

// scriptTemplate is the page's script, in its head so that every handler the page names is
// defined before any element that uses it loads (the Porcupine frame can finish loading
// before the parser reaches the end of a large page).
const scriptTemplate = `{{define "script"}}<script>
function copyReplay(b){var t=document.getElementById("replay").textContent;
function done(){b.textContent="copied";setTimeout(function(){b.textContent="copy"},1500)}
if(navigator.clipboard){navigator.clipboard.writeText(t).then(done,function(){sel()})}else{sel()}
function sel(){var r=document.createRange();r.selectNodeContents(document.getElementById("replay"));var s=getSelection();s.removeAllRanges();s.addRange(r);document.execCommand("copy");done()}}
function showMark(){var m=location.hash&&document.getElementById(decodeURIComponent(location.hash.slice(1)));
if(!m||!m.closest||!m.closest(".tl"))return;m.closest(".tl").scrollIntoView({block:"start"});
var sc=m.closest(".scroll"),r=m.getBoundingClientRect(),b=sc.getBoundingClientRect();sc.scrollLeft+=r.left-b.left-b.width/2}
addEventListener("hashchange",showMark);addEventListener("load",showMark);
function fitFrame(f){try{f.style.height=Math.min(f.contentDocument.documentElement.scrollHeight+24,4000)+"px"}catch(e){}}
</script>{{end}}`
