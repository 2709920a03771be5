package reports

import (
	"context"
	"encoding/json"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/raftcheck/raftcheck/cluster"
)

// The reports in a real browser: each page is rendered to a file, a copy with a probe script
// is loaded by headless Chromium (--dump-dom), and the probe's findings are read back from
// the dumped DOM. Console messages of every frame (Porcupine's too) come from Chromium's log.

// browserNames are the executables tried, in order, on PATH.
var browserNames = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// findBrowser returns the first headless-capable browser on PATH, or "".
func findBrowser() string {
	for _, name := range browserNames {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// probeScript runs first in the page: it records errors and console.error calls, and after
// load measures what the tests assert, into <pre id="raftcheck-probe"> as JSON.
const probeScript = `<script>(function(){
var errs=[];addEventListener("error",function(e){errs.push("error: "+e.message)});
var ce=console.error;console.error=function(){errs.push("console.error: "+[].join.call(arguments," "));ce.apply(console,arguments)};
function box(e){var r=e.getBoundingClientRect();return{l:r.left,r:r.right,t:r.top,b:r.bottom,w:r.width,h:r.height}}
function hit(a,b){return Math.min(a.r,b.r)-Math.max(a.l,b.l)>1&&Math.min(a.b,b.b)-Math.max(a.t,b.t)>1}
function count(sel){return document.querySelectorAll(sel).length}
function texts(svg,sel){return[].map.call(svg.querySelectorAll(sel),function(e){return{s:e.textContent.replace(/\s+/g," ").slice(0,40),b:box(e)}})}
function inside(r){[].forEach.call(document.querySelectorAll("svg.timeline,svg.perf"),function(svg){var sb=box(svg);
 texts(svg,"text").forEach(function(t){if(t.b.l<sb.l-0.5||t.b.r>sb.r+0.5)r.cutOff.push(t.s)});
 var p=svg.closest(".plot");if(p&&sb.r>box(p).r+0.5)r.cutOff.push("a plot wider than its card")})}
function timeline(r){var svg=document.querySelector("svg.timeline");if(!svg)return;
 r.timelineTexts=svg.querySelectorAll("text").length;
 var marks=texts(svg,"text.vlabel,text.heal-label,text.flabel");
 for(var i=0;i<marks.length;i++)for(var j=i+1;j<marks.length;j++)if(hit(marks[i].b,marks[j].b))r.stacked.push(marks[i].s+" / "+marks[j].s)}
function lineCount(e){var g=document.createRange(),tops={};g.selectNodeContents(e);
 [].forEach.call(g.getClientRects(),function(c){if(c.width>0)tops[Math.round(c.top)]=1});return Object.keys(tops).length}
function narrow(r){[].forEach.call(document.querySelectorAll("dl.kv dd,dl.kv dt"),function(e){
 var s=e.textContent.trim(),n=s.length,lines=lineCount(e);
 if(lines>1&&(n<=16||lines>=n/3))r.narrow.push(s.slice(0,30)+" ("+lines+" lines)")})}
function frame(r){var f=document.querySelector("iframe.porcupine");if(!f)return;r.frameHeight=f.style.height;
 try{var d=f.contentDocument;r.porcupineRects=d.querySelectorAll("rect.history-rect").length;
  r.porcupineSelected=d.body.getAttribute("data-raftcheck-selected")||"";
  r.porcupineSelectedRects=d.querySelectorAll("rect.history-rect.selected").length}catch(e){r.errors.push("frame: "+e)}}
addEventListener("load",function(){setTimeout(function(){
 var r={errors:errs,cutOff:[],stacked:[],narrow:[],counts:{}};
 ["svg.timeline","table.violations tr.violation","#node-state","#node-state table","svg.quantiles","svg.quantiles polyline",
  "iframe.porcupine","#history-near tr","#history-partition tr","details#history-all"].forEach(function(s){r.counts[s]=count(s)});
 r.badges=[].map.call(document.querySelectorAll(".kinds span"),function(e){return e.textContent});
 r.stats=[].map.call(document.querySelectorAll("#stats dt"),function(e){return e.textContent});
 inside(r);timeline(r);narrow(r);frame(r);
 var p=document.createElement("pre");p.id="raftcheck-probe";p.textContent=JSON.stringify(r);document.body.appendChild(p)},200)});
})();</script>`

// probeResult is what probeScript measured.
type probeResult struct {
	Errors                 []string       `json:"errors"`
	CutOff                 []string       `json:"cutOff"`  // chart texts beyond their SVG's edges, plots beyond their cards
	Stacked                []string       `json:"stacked"` // overlapping mark and fault labels
	Narrow                 []string       `json:"narrow"`  // config and stats cells squeezed: a short value on several lines
	Counts                 map[string]int `json:"counts"`
	Badges                 []string       `json:"badges"`
	Stats                  []string       `json:"stats"`
	TimelineTexts          int            `json:"timelineTexts"`
	FrameHeight            string         `json:"frameHeight"`
	PorcupineRects         int            `json:"porcupineRects"`
	PorcupineSelected      string         `json:"porcupineSelected"`
	PorcupineSelectedRects int            `json:"porcupineSelectedRects"`
	Console                []string       `json:"-"` // console lines Chromium logged, from any frame
}

var (
	probeRe   = regexp.MustCompile(`(?s)<pre id="raftcheck-probe">(.*?)</pre>`)
	consoleRe = regexp.MustCompile(`:CONSOLE[:(]\d+\)?\] (.*)`)
)

// loadInBrowser loads page (with the probe) in headless Chromium at the given window width
// and returns what the probe found.
func loadInBrowser(t *testing.T, browser, page string, width int) probeResult {
	t.Helper()
	dir := t.TempDir()
	file := filepath.Join(dir, "report.html")
	probed := strings.Replace(page, "<head>", "<head>"+probeScript, 1)
	require.NotEqual(t, page, probed, "the page has no <head> to put the probe in")
	require.NoError(t, os.WriteFile(file, []byte(probed), 0o644))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
		"--disable-extensions", "--hide-scrollbars", "--user-data-dir="+filepath.Join(dir, "profile"),
		"--window-size="+strconv.Itoa(width)+",1000", "--virtual-time-budget=3000",
		"--enable-logging=stderr", "--v=0", "--dump-dom", "file://"+file)
	cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS=disabled:")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "%s failed: %s", browser, stderr.String())
	m := probeRe.FindSubmatch(out)
	require.NotNil(t, m, "the probe wrote nothing: the page's load never finished (stderr: %s)", stderr.String())
	var r probeResult
	require.NoError(t, json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &r))
	for _, line := range strings.Split(stderr.String(), "\n") {
		if c := consoleRe.FindStringSubmatch(line); c != nil {
			r.Console = append(r.Console, c[1])
		}
	}
	return r
}

// TestReportsInBrowser renders a real failing run (an illegal history; also in a narrower
// window), a real passing run and a hand-made shrunk run, loads each in headless Chromium, and checks that nothing went
// wrong in any frame and that the key parts rendered and look right.
func TestReportsInBrowser(t *testing.T) {
	browser := findBrowser()
	if browser == "" {
		t.Skipf("no headless browser: none of %v is on PATH (.ci/run installs Debian's chromium; apt-get install chromium)", browserNames)
	}
	type tc struct {
		name    string
		res     *cluster.Result
		width   int
		illegal bool
	}
	failing, passing := illegalRun(t), shortRun(t)
	require.False(t, passing.Failed(), "the short run must pass: %v", passing.Kinds())
	for _, c := range []tc{
		{"failing", failing, 1280, true},
		{"failing-narrow", failing, 1000, true},
		{"passing", passing, 1280, false},
		{"shrunk", shrunkResult(t), 1100, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			page := renderHTML(t, c.res, "")
			r := loadInBrowser(t, browser, page, c.width)
			assert.Empty(t, r.Errors, "errors in the page")
			assert.Empty(t, r.Console, "console messages (any frame)")
			assert.Empty(t, r.CutOff, "chart labels cut off at the edges")
			assert.Empty(t, r.Stacked, "timeline labels drawn over each other")
			assert.Empty(t, r.Narrow, "config or stats cells squeezed to a few characters a line")
			assert.Equal(t, 1, r.Counts["svg.timeline"], "the timeline")
			assert.Equal(t, len(c.res.Violations), r.Counts["table.violations tr.violation"], "a row per violation")
			assert.Equal(t, 1, r.Counts["#node-state"], "the node-state section")
			assert.Positive(t, r.Counts["#node-state table"], "node-state tables")
			assert.Equal(t, 1, r.Counts["svg.quantiles"], "the latency-quantiles plot")
			assert.Equal(t, 1, r.Counts["details#history-all"], "the full history, collapsible")
			if c.res.Stats.WallSeconds == 0 {
				assert.NotContains(t, r.Stats, "wall", "no wall time recorded: no wall row")
			} else {
				assert.Contains(t, r.Stats, "wall")
			}
			if !c.illegal {
				assert.Zero(t, r.Counts["iframe.porcupine"])
				return
			}
			assert.Equal(t, 1, r.Counts["iframe.porcupine"], "Porcupine's visualisation")
			assert.Positive(t, r.PorcupineRects, "Porcupine drew the history")
			assert.NotEmpty(t, r.FrameHeight, "the frame was fitted to its content")
			want, ok := porcupineSelection(c.res)
			require.True(t, ok, "no failing partition found")
			assert.Equal(t, want.String(), r.PorcupineSelected, "the visualisation opens on the failing partition")
			assert.Equal(t, 1, r.PorcupineSelectedRects, "one operation selected")
		})
	}
}
