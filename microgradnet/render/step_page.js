/* microgradnet's step-through page: plays backpropagation through a graph that Graphviz has drawn.
   Plain JavaScript, no library and no network. The data (the values, and for each step its text and
   the grads it changes) is JSON in the page; the drawing is Graphviz's SVG, whose parts have ids:
   v3 a Value's box, v3d / v3g its data and grad texts (v3dc / v3gc their boxes), v3op its op node,
   v3o the edge from the op node to the Value, v3e0, v3e1 ... the edges from its operands; v3w groups them all. */
window.microgradnetStepThrough = function (uid) {
  "use strict";
  var tries = 0;
  (function start() {
    var root = document.getElementById(uid);
    if (!root) {  // a notebook may run the script before its output is in the page
      if (++tries < 200) setTimeout(start, 50);
      return;
    }
    if (root.getAttribute("data-ready")) return;
    root.setAttribute("data-ready", "1");
    player(root);
  })();

  function player(root) {
    var data = JSON.parse(root.querySelector(".mgn-st-data").textContent);
    var values = data.values, steps = data.steps, n = values.length, last = steps.length - 1;
    var svg = root.querySelector(".mgn-st-graph svg");
    // The edge labels go on a drawing of their own laid over Graphviz's, with its size and coordinates: what
    // they change is laid out and painted there, not in the big drawing.
    var over = document.createElementNS("http://www.w3.org/2000/svg", "svg"), canvas = over.appendChild(
      document.createElementNS("http://www.w3.org/2000/svg", "g"));
    ["width", "height", "viewBox"].forEach(function (name) {
      if (svg.hasAttribute(name)) over.setAttribute(name, svg.getAttribute(name));
    });
    over.setAttribute("class", "mgn-st-over");
    over.setAttribute("aria-hidden", "true");
    canvas.setAttribute("transform", svg.querySelector("g").getAttribute("transform") || "");  // Graphviz's top group's
    svg.parentNode.appendChild(over);
    var panel = root.querySelector(".mgn-st-panel");
    var view = root.querySelector(".mgn-st-graph");
    var slider = root.querySelector("input[type=range]");
    var count = root.querySelector(".mgn-st-count");
    var playButton = root.querySelector('[data-go="play"]');
    var SVGNS = "http://www.w3.org/2000/svg";
    // where a label may go: a fraction of its edge's length, and a shift in label heights (the first that is free)
    var SPOTS = [[0.55, 0], [0.7, 0], [0.4, 0], [0.85, 0], [0.55, 1], [0.55, -1], [0.7, 1], [0.7, -1], [0.4, 1],
                 [0.4, -1], [0.55, 2], [0.55, -2], [0.55, 3], [0.55, -3]];

    var byId = {};  // ids are only unique within one drawing: a notebook may show several
    var marked = svg.querySelectorAll("[id]");
    for (var m = 0; m < marked.length; m++) byId[marked[m].getAttribute("id")] = marked[m];

    // Each Value: its parts in the drawing, when its data appears, and its grad at each step that changes it.
    var parts = [], appear = [], gradSteps = [], gradTexts = [], seed = -1;
    for (var i = 0; i < n; i++) {
      var id = "v" + i, edges = [];
      for (var j = 0; byId[id + "e" + j]; j++) edges.push(byId[id + "e" + j]);
      var d = byId[id + "d"], g = byId[id + "g"];
      parts.push({
        box: byId[id] || null, op: byId[id + "op"] || null, out: byId[id + "o"] || null, edges: edges, all: byId[id + "w"],
        data: d, grad: g, gradBox: byId[id + "gc"] || null,
        dataPrefix: d && d.textContent.indexOf("data ") === 0 ? "data " : "",
        gradPrefix: g && g.textContent.indexOf("grad ") === 0 ? "grad " : "",
        shownData: null, shownGrad: null, future: false
      });
      appear.push(values[i][3] ? 0 : last + 1);
      gradSteps.push([]);
      gradTexts.push([]);
    }
    steps.forEach(function (s, k) {
      if (s[0] === "f") appear[s[1]] = k;
      if (s[0] === "seed") seed = k;
      s[3].forEach(function (u) { gradSteps[u[0]].push(k); gradTexts[u[0]].push(u[2]); });
    });

    function gradAt(i, k) {
      if (seed < 0 || k < seed) return "";
      var at = gradSteps[i], lo = 0, hi = at.length;  // the last change at or before step k
      while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (at[mid] <= k) lo = mid + 1; else hi = mid;
      }
      return lo ? gradTexts[i][lo - 1] : "0";
    }

    function put(el, text) {  // a new text in the same text node: the browser keeps its layout object
      var node = el.firstChild;
      if (node && node.nodeType === 3 && !node.nextSibling && text) node.data = text; else el.textContent = text;
    }

    function setClass(el, name, on) {
      if (el) el.classList.toggle(name, on);
    }

    var lit = [], labels = [], now = -1, timer = null;

    // A step first reads what it needs of the drawing's geometry (laid out already, unless a step came before the
    // last frame), then writes: reads after writes would make the browser lay the big drawing out again and again.
    function go(k) {
      k = Math.max(0, Math.min(last, k | 0));
      now = k;
      var step = steps[k], kind = step[0], v = step[1], at = v >= 0 && kind !== "end" ? parts[v] : null;
      var spots = kind === "b" ? where(v, step) : null, scroll = at ? follow([at.box, at.op], step[3].map(function (u) { return parts[u[0]].gradBox; })) : null;
      labels.forEach(function (x) { x.parentNode.removeChild(x); });
      labels = [];
      if (spots) label(v, step, spots);  // (measured before anything else changes: one small layout)
      for (var i = 0; i < n; i++) {
        var p = parts[i], future = k < appear[i];
        var text = future ? "?" : values[i][2], grad = gradAt(i, k);
        if (p.data && text !== p.shownData) { put(p.data, p.dataPrefix + text); p.shownData = text; }
        if (p.grad && grad !== p.shownGrad) { put(p.grad, grad || p.gradPrefix ? p.gradPrefix + grad : ""); p.shownGrad = grad; }
        if (future !== p.future) {
          p.future = future;
          setClass(p.all, "mgn-future", future);  // the group of its box, its op and their edges
        }
      }
      var was = lit;
      lit = [];
      function light(el, name) {
        if (el) lit.push([el, name]);
      }
      if (v >= 0 && kind !== "end") {
        var q = parts[v], mark = kind === "b" || kind === "seed" ? "mgn-now" : "mgn-new";
        light(q.box, mark);
        if (kind !== "seed") { light(q.op, mark); light(q.out, mark); }
        if (kind === "f") q.edges.forEach(function (e) { light(e, "mgn-in"); });
      }
      step[3].forEach(function (u) {
        var r = parts[u[0]];
        light(r.grad, "mgn-got");
        light(r.gradBox, "mgn-gotc");
        if (u[1] >= 0 && parts[v].edges[u[1]]) light(parts[v].edges[u[1]], "mgn-flow");
      });
      was.forEach(function (x) { if (!lit.some(function (y) { return y[0] === x[0] && y[1] === x[1]; })) x[0].classList.remove(x[1]); });
      lit.forEach(function (x) { x[0].classList.add(x[1]); });  // (a class an element keeps is no change)
      panel.textContent = "";
      var head = document.createElement("div");
      head.className = "mgn-st-head";
      head.textContent = "Step " + k + " of " + last + (kind === "f" || kind === "in" ? ", forward pass" :
        kind === "end" ? ", the end" : ", backward pass");
      panel.appendChild(head);
      step[2].concat(kind === "b" ? terms(v, step) : []).forEach(function (line) {
        var div = document.createElement("div");
        div.textContent = line;
        panel.appendChild(div);
      });
      slider.value = String(k);
      count.textContent = k + " / " + last;
      if (scroll) { view.scrollTop = scroll[0]; view.scrollLeft = scroll[1]; }
    }

    function operand(number) {  // a negative number inside a formula: in parentheses, as explain() writes it
      return number.charAt(0) === "-" ? "(" + number + ")" : number;
    }

    // the chain rule, one line per parent: parent.grad += node.grad · d node / d parent = numbers
    function terms(v, step) {
      return step[3].map(function (u) {
        var grad = values[u[0]][1] + ".grad";
        return "    " + grad + " += " + values[v][1] + ".grad · " + u[3] + " = " + operand(step[4]) + " · " +
          operand(u[4]) + " = " + u[5] + (u[6] ? ", so " + grad + " = " + u[6] + " = " + u[2] : "");
      });
    }

    // Where each label of a backward step may go (a fraction of its edge's length, SPOTS), and the grads its step
    // changes: the drawing's geometry does not change, so each edge's and box's is read once, and kept.
    function where(v, step) {
      return step[3].map(function (u) {
        var edge = parts[v].edges[u[1]], path = edge && edge.querySelector("path"), box = parts[u[0]].gradBox;
        if (box && !box.mgnBox) box.mgnBox = box.getBBox();
        if (path && !path.mgnAt) {
          var length = path.getTotalLength();
          path.mgnAt = {};
          SPOTS.forEach(function (s) { path.mgnAt[s[0]] = path.mgnAt[s[0]] || path.getPointAtLength(length * s[0]); });
        }
        return { avoid: box ? box.mgnBox : null, at: path ? path.mgnAt : null };
      });
    }

    // local derivative × upstream gradient = contribution, on each edge of the node's backward step: each label
    // where it covers neither another label nor a grad that the step changes, near the middle of its edge
    function label(v, step, spots) {
      var made = [], placed = [];
      var avoid = spots.map(function (s) { return s.avoid; }).filter(Boolean);
      step[3].forEach(function (u, i) {
        if (!spots[i].at) return;
        var g = document.createElementNS(SVGNS, "g"), t = document.createElementNS(SVGNS, "text");
        g.setAttribute("class", "mgn-lab");
        t.setAttribute("text-anchor", "middle");
        t.textContent = u[4] + " × " + step[4] + " = " + u[5];
        g.appendChild(t);
        canvas.appendChild(g);
        made.push([g, t, spots[i].at]);
      });
      var sizes = made.map(function (x) { return x[1].getBBox(); });  // one layout measures every label (at 0, 0)
      made.forEach(function (x, i) {
        var size = sizes[i], best = null, first = null;
        for (var pass = 0; pass < 2 && !best; pass++) {  // free of labels and grads; else free of labels at least
          var others = pass ? placed : avoid.concat(placed);
          for (var c = 0; c < SPOTS.length && !best; c++) {
            var at = x[2][SPOTS[c][0]], shift = SPOTS[c][1] * (size.height + 2);
            var r = { x: at.x + size.x - 2, y: at.y + 3 + shift + size.y - 1, width: size.width + 4, height: size.height + 2 };
            first = first || r;
            if (!others.some(function (o) { return overlap(o, r); })) best = r;
          }
        }
        best = best || first;  // nowhere free: where it belongs
        x[1].setAttribute("x", best.x + 2 - size.x);  // (the text's anchor, from its box measured at 0, 0)
        x[1].setAttribute("y", best.y + 1 - size.y);
        var rect = document.createElementNS(SVGNS, "rect");
        rect.setAttribute("x", best.x);
        rect.setAttribute("y", best.y);
        rect.setAttribute("width", best.width);
        rect.setAttribute("height", best.height);
        rect.setAttribute("rx", 2);
        x[0].insertBefore(rect, x[1]);
        labels.push(x[0]);
        placed.push(best);
      });
    }

    function overlap(a, b) {
      return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    }

    // The view scrolls only when the step's node (its box and its op) is not inside it by a margin, and then it centres
    // the node along that axis, with the grads its step changes if they fit in the view too.
    function follow(els, also) {
      if (view.scrollHeight <= view.clientHeight && view.scrollWidth <= view.clientWidth) return null;
      var c = view.getBoundingClientRect(), top = c.top + view.clientTop, left = c.left + view.clientLeft;
      var r = around(els, null), all = around(also, r), h = view.clientHeight, w = view.clientWidth;
      if (!r) return null;
      if (all && all.bottom - all.top <= h * 3 / 4 && all.right - all.left <= w * 3 / 4) r = all;
      var y = along(r.top - top, r.bottom - top, h), x = along(r.left - left, r.right - left, w);
      return x || y ? [view.scrollTop + y, view.scrollLeft + x] : null;
    }

    function around(els, r) {  // the box around the elements' boxes, and r
      els.forEach(function (el) {
        var b = el && el.getBoundingClientRect();
        if (b) r = r ? { top: Math.min(r.top, b.top), bottom: Math.max(r.bottom, b.bottom), left: Math.min(r.left, b.left),
                         right: Math.max(r.right, b.right) } : b;
      });
      return r;
    }

    function along(from, to, size) {  // how far to scroll along one axis to show [from, to] in a view of that size
      var margin = Math.min(40, size / 8);
      return from >= margin && to <= size - margin ? 0 : (from + to - size) / 2;
    }

    function play() {
      if (timer) {
        clearInterval(timer);
        timer = null;
        playButton.textContent = "▶ play";
        return;
      }
      if (now >= last) go(0);
      playButton.textContent = "❚❚ pause";
      timer = setInterval(function () {
        if (now >= last) { play(); return; }
        go(now + 1);
      }, 700);
    }

    var actions = {
      home: function () { go(0); }, back: function () { go(now - 1); }, next: function () { go(now + 1); },
      end: function () { go(last); }, play: play,
      fit: function (button) {
        var full = root.classList.toggle("mgn-st-full");
        button.textContent = full ? "fit to width" : "zoom in";
      }
    };
    root.querySelector(".mgn-st-bar").addEventListener("click", function (e) {
      var button = e.target.closest("button[data-go]");
      if (button) actions[button.getAttribute("data-go")](button);
    });
    slider.addEventListener("input", function () { go(+slider.value); });
    var KEYS = { ArrowRight: "next", ArrowLeft: "back", Home: "home", End: "end" };
    function key(e) {
      if (e.target === slider || e.altKey || e.ctrlKey || e.metaKey || !KEYS[e.key]) return;  // the slider moves itself
      e.preventDefault();
      e.stopPropagation();
      actions[KEYS[e.key]]();
    }
    var page = document.body.classList.contains("mgn-st-page");
    (page ? document : root).addEventListener("keydown", key);  // in a notebook, only while it has the focus
    root.addEventListener("click", function (e) {
      if (!e.target.closest("button, input")) root.focus({ preventScroll: true });
    });
    var fitButton = root.querySelector('[data-go="fit"]');
    if (parseFloat(svg.getAttribute("width")) * 4 / 3 > 1.6 * view.clientWidth) {  // too small to read when fitted
      root.classList.add("mgn-st-full");
      fitButton.textContent = "fit to width";
    }
    go(0);
    if (page) root.focus();
    root.stepThrough = { go: go, step: function () { return now; }, last: last };  // for tests and benchmarks
  }
};
