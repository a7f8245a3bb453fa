/* microgradnet's step-through page: plays backpropagation through a graph that Graphviz has drawn.
   Plain JavaScript, no library and no network. The data (the values, and for each step its text and
   the grads it changes) is JSON in the page; the drawing is Graphviz's SVG, whose parts have ids:
   v3 a Value's box, v3d / v3g its data and grad texts (v3dc / v3gc their boxes), v3op its op node,
   v3o the edge from the op node to the Value, v3e0, v3e1 ... the edges from its operands; v3w groups them all.
   A big drawing is cut into tiles (see tiles()): then an id names each of its copies, one per tile it reaches. */
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
    var svg = root.querySelector(".mgn-st-graph svg"), SVGNS = "http://www.w3.org/2000/svg";
    var top = svg.querySelector("g"), frame = svg.viewBox.baseVal;  // Graphviz's top group, and the drawing's extent
    var matrix = top && top.transform.baseVal.numberOfItems ? top.transform.baseVal.consolidate().matrix : svg.createSVGMatrix();
    var sheet = document.createElement("div");  // the drawing, its tiles and the marks' layer, one over the other
    sheet.className = "mgn-st-sheet";
    svg.parentNode.insertBefore(sheet, svg);
    sheet.appendChild(svg);
    var TILE = 1024;  // a tile's side, in the drawing's units (points): 2 to 6 tiles are in view (see tiles())
    var MARGIN = 128;  // how far from the view (in pixels) a tile is drawn: a small scroll shows no blank
    var shelf = [];  // the tiles: each {box, x, y, w, h}, its region of the drawing (from the drawing's corner, in points)
    var byId = tiles();  // id -> its elements
    // What a step marks goes on a drawing of its own laid over Graphviz's, with its size and coordinates: the grads
    // it changes, the edges it lights and their labels. So the big drawing only changes its numbers; and these marks
    // are a few shapes kept from step to step, which a step moves and fills in (see pool()).
    var over = document.createElementNS(SVGNS, "svg"), canvas = over.appendChild(document.createElementNS(SVGNS, "g"));
    var got = pool("mgn-got"), trail = layer("mgn-trail"), tags = pool("mgn-lab");  // (in this order: labels on top)
    svg.setAttribute("preserveAspectRatio", "none");  // (its size, in whole points, has not quite its viewBox's shape)
    ["width", "height", "viewBox", "preserveAspectRatio"].forEach(function (name) {  // the tiles, too, fill their box
      if (svg.hasAttribute(name)) over.setAttribute(name, svg.getAttribute(name));
    });
    over.setAttribute("class", "mgn-st-over");
    over.setAttribute("aria-hidden", "true");
    canvas.setAttribute("transform", top.getAttribute("transform") || "");  // Graphviz's top group's
    sheet.appendChild(over);
    var panel = root.querySelector(".mgn-st-panel");  // the step's head, and its lines in one text
    panel.textContent = "";
    var head = panel.appendChild(document.createElement("div")), said = panel.appendChild(document.createElement("div"));
    head.className = "mgn-st-head";
    var view = root.querySelector(".mgn-st-graph");
    var slider = root.querySelector("input[type=range]");
    var count = root.querySelector(".mgn-st-count");
    var playButton = root.querySelector('[data-go="play"]');
    // where a label may go: a fraction of its edge's length, and a shift in label heights (the first that is free)
    var SPOTS = [[0.55, 0], [0.7, 0], [0.4, 0], [0.85, 0], [0.55, 1], [0.55, -1], [0.7, 1], [0.7, -1], [0.4, 1],
                 [0.4, -1], [0.55, 2], [0.55, -2], [0.55, 3], [0.55, -3]];

    // A big drawing in tiles: each tile a region of the drawing, in an HTML box of its own that the browser skips
    // (no style, layout or paint) while it is far from the view (see reveal()). A step that changes every
    // Value, such as a jump to the start or the end, then costs what is in view, not the whole drawing. Each part
    // (a cluster, a node, an edge) is copied into every tile it reaches; a Value's parts stay in one group per tile.
    function tiles() {
      var found = {}, cols = Math.ceil(frame.width / TILE), rows = Math.ceil(frame.height / TILE);
      function index(scope) {  // ids are only unique within one drawing: a notebook may show several
        var marked = scope.querySelectorAll("[id]");
        for (var m = 0; m < marked.length; m++) (found[marked[m].id] = found[marked[m].id] || []).push(marked[m]);
      }
      if (!top || !frame.width || cols * rows < 3) {  // small: one drawing
        index(svg);
        return found;
      }
      var made = {}, units = [], wide = null;
      [].slice.call(top.children).forEach(function (child) {
        if (child.tagName === "polygon") return;  // the drawing's background: it stays, under the tiles
        var grouped = /^v\d+w$/.test(child.id);
        (grouped ? [].slice.call(child.children) : [child]).forEach(function (part) {
          units.push([part, grouped ? child : null, part.getBBox()]);  // (one layout measures them all)
        });
      });
      units.forEach(function (unit) {  // the tiles it reaches: columns c0 to c1, rows r0 to r1
        var r = extent(unit[2], 4), c0 = Math.max(0, Math.floor((r.left - frame.x) / TILE));
        var c1 = Math.min(cols - 1, Math.floor((r.right - frame.x) / TILE)), r0 = Math.max(0, Math.floor((r.top - frame.y) / TILE));
        var r1 = Math.min(rows - 1, Math.floor((r.bottom - frame.y) / TILE));
        if ((c1 - c0 + 1) * (r1 - r0 + 1) > 4) {  // a long edge, a cluster's frame: in one layer over the tiles, not copied
          add(wide || (wide = tile(0, 0, frame.width, frame.height)), unit);
          return;
        }
        for (var row = r0; row <= r1; row++) {
          for (var col = c0; col <= c1; col++) {
            add(made[row * cols + col] || (made[row * cols + col] = tile(col * TILE, row * TILE, TILE, TILE)), unit);
          }
        }
      });
      function add(t, unit) {
        var into = t.g, group = unit[1];
        if (group) into = t.groups[group.id] || (t.groups[group.id] = t.g.appendChild(group.cloneNode(false)));
        into.appendChild(unit[0].cloneNode(true));
      }
      function tile(x, y, w, h) {
        var box = document.createElement("div"), drawing = box.appendChild(document.createElementNS(SVGNS, "svg"));
        w = Math.min(w, frame.width - x);
        h = Math.min(h, frame.height - y);
        box.className = "mgn-st-tile";
        box.setAttribute("hidden", "until-found");  // (until it is near the view: see reveal())
        box.style.left = 100 * x / frame.width + "%";
        box.style.top = 100 * y / frame.height + "%";
        box.style.width = 100 * w / frame.width + "%";
        box.style.height = 100 * h / frame.height + "%";
        drawing.setAttribute("viewBox", [frame.x + x, frame.y + y, w, h].join(" "));
        drawing.setAttribute("preserveAspectRatio", "none");
        var g = drawing.appendChild(document.createElementNS(SVGNS, "g"));
        g.setAttribute("transform", top.getAttribute("transform") || "");
        return { box: box, g: g, groups: {}, x: x, y: y, w: w, h: h };
      }
      [].slice.call(top.children).forEach(function (child) {  // the drawing keeps its size: the tiles lie over it
        if (child.tagName !== "polygon") top.removeChild(child);
      });
      shelf = Object.keys(made).map(function (i) { return made[i]; });
      if (wide) {  // always drawn: a long edge is in view from near and far
        wide.box.className += " mgn-st-wide";
        wide.box.removeAttribute("hidden");
      }
      shelf.concat(wide ? [wide] : []).forEach(function (t) {
        sheet.appendChild(t.box);  // (the wide layer last: over the tiles)
        index(t.box);
      });
      return found;
    }

    // A box {x, y, width, height} in the top group's coordinates, in the drawing's (viewBox) coordinates, grown by pad.
    function extent(b, pad) {
      var xs = [], ys = [];
      [[b.x, b.y], [b.x + b.width, b.y], [b.x, b.y + b.height], [b.x + b.width, b.y + b.height]].forEach(function (p) {
        xs.push(matrix.a * p[0] + matrix.c * p[1] + matrix.e);
        ys.push(matrix.b * p[0] + matrix.d * p[1] + matrix.f);
      });
      return { left: Math.min.apply(null, xs) - pad, right: Math.max.apply(null, xs) + pad,
               top: Math.min.apply(null, ys) - pad, bottom: Math.max.apply(null, ys) + pad };
    }

    // A shape's box (a polygon's, an ellipse's, or a group's of them) in the top group's coordinates, from its
    // attributes: reading no layout, which may be out of date in a tile out of view. Kept: the drawing does not move.
    function shape(el) {
      if (el.mgnBox) return el.mgnBox;
      var xs = [], ys = [], all = el.matches("polygon, ellipse") ? [el] : el.querySelectorAll("polygon, ellipse");
      for (var i = 0; i < all.length; i++) {
        var s = all[i];
        if (s.tagName === "ellipse") {
          var cx = s.cx.baseVal.value, cy = s.cy.baseVal.value, rx = s.rx.baseVal.value, ry = s.ry.baseVal.value;
          xs.push(cx - rx, cx + rx);
          ys.push(cy - ry, cy + ry);
        } else {
          for (var j = 0; j < s.points.numberOfItems; j++) { xs.push(s.points.getItem(j).x); ys.push(s.points.getItem(j).y); }
        }
      }
      var x = xs.length ? Math.min.apply(null, xs) : 0, y = ys.length ? Math.min.apply(null, ys) : 0;
      el.mgnBox = { x: x, y: y, width: xs.length ? Math.max.apply(null, xs) - x : 0, height: ys.length ? Math.max.apply(null, ys) - y : 0 };
      return el.mgnBox;
    }

    // Each Value: its parts in the drawing, when its data appears, and its grad at each step that changes it.
    var parts = [], appear = [], gradSteps = [], gradTexts = [], seed = -1;
    for (var i = 0; i < n; i++) {
      var id = "v" + i, edges = [];
      for (var j = 0; byId[id + "e" + j]; j++) edges.push(byId[id + "e" + j]);
      var d = byId[id + "d"] || [], g = byId[id + "g"] || [];  // each a list: its copies, one per tile
      parts.push({
        box: byId[id] || [], op: byId[id + "op"] || [], out: byId[id + "o"] || [], edges: edges, all: byId[id + "w"] || [],
        data: d, grad: g, gradBox: byId[id + "gc"] || [],
        dataPrefix: d.length && d[0].textContent.indexOf("data ") === 0 ? "data " : "",
        gradPrefix: g.length && g[0].textContent.indexOf("grad ") === 0 ? "grad " : "",
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

    function put(els, text) {  // a new text in the same text node: the browser keeps its layout object
      for (var i = 0; i < els.length; i++) {
        var node = els[i].firstChild;
        if (node && node.nodeType === 3 && !node.nextSibling && text) node.data = text; else els[i].textContent = text;
      }
    }

    function setClass(els, name, on) {
      for (var i = 0; i < els.length; i++) els[i].classList.toggle(name, on);
    }

    var lit = [], now = -1, timer = null;

    // Boxes with a text in each, over the drawing: a step takes the ones it needs, in order, and sets their points,
    // place and text (none of which is a CSS property: no style to compute again); the ones it does not take leave
    // the drawing, and are kept for a later step.
    function pool(name) {
      return { g: group(canvas, name), items: [], used: 0 };
    }

    function group(into, name) {  // a new group of that class, last in into
      var g = into.appendChild(document.createElementNS(SVGNS, "g"));
      g.setAttribute("class", name);
      return g;
    }

    function take(p) {
      if (!p.items[p.used]) {
        var g = document.createElementNS(SVGNS, "g");
        p.items.push({ g: g, box: g.appendChild(document.createElementNS(SVGNS, "polygon")),
                       text: g.appendChild(document.createElementNS(SVGNS, "text")) });
      }
      var x = p.items[p.used++];
      if (!x.g.parentNode) p.g.appendChild(x.g);
      return x;
    }

    function settle(p) {  // the boxes not taken since the last time leave the drawing
      for (var i = p.used; i < p.items.length && p.items[i].g.parentNode; i++) p.g.removeChild(p.items[i].g);
      p.used = 0;
    }

    function attr(el, name, value) {  // (null: none)
      if (el.getAttribute(name) === value) return;
      if (value === null) el.removeAttribute(name); else el.setAttribute(name, value);
    }

    // The lit edges: for each class of them, one path of all their curves and one of all their arrowheads.
    function layer(name) {
      return { g: group(canvas, name), paths: {} };
    }

    function draw(edges) {
      Object.keys(edges).concat(Object.keys(trail.paths)).forEach(function (name) {
        var p = trail.paths[name];
        if (!p) {
          var g = group(trail.g, name);
          p = trail.paths[name] = [g.appendChild(document.createElementNS(SVGNS, "path")), g.appendChild(document.createElementNS(SVGNS, "path"))];
          p[1].setAttribute("class", "mgn-head");
        }
        var d = (edges[name] || []).map(outline);
        attr(p[0], "d", d.length ? d.map(function (x) { return x[0]; }).join(" ") : null);
        attr(p[1], "d", d.length ? d.map(function (x) { return x[1]; }).join(" ") : null);
      });
    }

    function outline(edge) {  // an edge's curves and its arrowheads, each as path data: read once, and kept
      if (!edge.mgnOutline) {
        var curves = [], heads = [];
        [].forEach.call(edge.querySelectorAll("path, polygon"), function (part) {
          if (part.tagName === "path") curves.push(part.getAttribute("d"));
          else heads.push("M" + part.getAttribute("points").trim().split(/\s+/).join("L") + "Z");
        });
        edge.mgnOutline = [curves.join(" "), heads.join(" ")];
      }
      return edge.mgnOutline;
    }

    // A step first reads what it needs of the drawing's geometry (laid out already, unless a step came before the
    // last frame), then writes: reads after writes would make the browser lay the big drawing out again and again.
    function go(k) {
      k = Math.max(0, Math.min(last, k | 0));
      now = k;
      var step = steps[k], kind = step[0], v = step[1], at = v >= 0 && kind !== "end" ? parts[v] : null;
      var spots = kind === "b" ? where(v, step) : null, scroll = at ? follow([at.box[0], at.op[0]], step[3].map(function (u) { return parts[u[0]].gradBox[0]; })) : null;
      var seen = scroll || (shelf.length ? [view.scrollTop, view.scrollLeft] : null);  // where the view will be
      if (spots) label(v, step, spots);
      settle(tags);
      for (var i = 0; i < n; i++) {
        var p = parts[i], future = k < appear[i];
        var text = future ? "?" : values[i][2], grad = gradAt(i, k);
        if (text !== p.shownData) { put(p.data, p.dataPrefix + text); p.shownData = text; }
        if (grad !== p.shownGrad) { put(p.grad, grad || p.gradPrefix ? p.gradPrefix + grad : ""); p.shownGrad = grad; }
        if (future !== p.future) {
          p.future = future;
          setClass(p.all, "mgn-future", future);  // the group of its box, its op and their edges
        }
      }
      var was = lit;
      lit = [];
      function light(els, name) {  // (each copy of a node)
        els.forEach(function (el) { lit.push([el, name]); });
      }
      var edges = {};  // a lit edge's class -> the edges lit so, in the colour of their part in the step
      function lightEdge(els, name) {  // (drawn once, over the drawing: see draw())
        if (els.length) (edges[name] = edges[name] || []).push(els[0]);
      }
      var mark = kind === "b" || kind === "seed" ? "mgn-now" : "mgn-new";
      if (v >= 0 && kind !== "end") {
        var q = parts[v];
        light(q.box, mark);
        if (kind !== "seed") { light(q.op, mark); lightEdge(q.out, mark); }
        if (kind === "f") q.edges.forEach(function (e) { lightEdge(e, "mgn-in"); });
      }
      step[3].forEach(function (u) {  // each grad the step changes, marked over the drawing
        var r = parts[u[0]], cell = r.gradBox[0], text = r.grad[0];
        if (u[1] >= 0 && parts[v].edges[u[1]]) lightEdge(parts[v].edges[u[1]], "mgn-flow");
        if (!text) return;
        var x = take(got);
        attr(x.g, "class", u[0] === v ? mark : null);  // (the seed's own grad, in its lit box)
        attr(x.box, "points", cell && cell.getAttribute("points"));
        ["x", "y", "text-anchor", "font-size", "font-family", "font-style"].forEach(function (name) {
          attr(x.text, name, text.getAttribute(name));
        });
        put([x.text], r.gradPrefix + gradAt(u[0], k));
      });
      settle(got);
      draw(edges);
      was.forEach(function (x) { if (!lit.some(function (y) { return y[0] === x[0] && y[1] === x[1]; })) x[0].classList.remove(x[1]); });
      lit.forEach(function (x) { x[0].classList.add(x[1]); });  // (a class an element keeps is no change)
      put([head], "Step " + k + " of " + last + (kind === "f" || kind === "in" ? ", forward pass" :
        kind === "end" ? ", the end" : ", backward pass"));
      put([said], step[2].concat(kind === "b" ? terms(v, step) : []).join("\n"));  // (one text: one to lay out)
      slider.value = String(k);
      count.textContent = k + " / " + last;
      if (seen) reveal(seen[0], seen[1]);  // (before scrolling, which lays the page out: then once)
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
    // (An edge is measured on a path of the same shape outside the page, which nothing lays out.)
    var tape = document.createElementNS(SVGNS, "path");
    function where(v, step) {
      return step[3].map(function (u) {
        var edge = parts[v].edges[u[1]], path = edge && edge[0].querySelector("path"), box = parts[u[0]].gradBox[0];
        if (path && !path.mgnAt) {
          tape.setAttribute("d", path.getAttribute("d"));
          var length = tape.getTotalLength();
          path.mgnAt = {};
          SPOTS.forEach(function (s) { path.mgnAt[s[0]] = path.mgnAt[s[0]] || tape.getPointAtLength(length * s[0]); });
        }
        return { avoid: box ? shape(box) : null, at: path ? path.mgnAt : null };
      });
    }

    // local derivative × upstream gradient = contribution, on each edge of the node's backward step: each label
    // where it covers neither another label nor a grad that the step changes, near the middle of its edge
    function label(v, step, spots) {
      var placed = [], avoid = spots.map(function (s) { return s.avoid; }).filter(Boolean);
      step[3].forEach(function (u, i) {
        if (!spots[i].at) return;
        var x = take(tags), best = null, first = null;
        attr(x.text, "text-anchor", "middle");
        put([x.text], u[4] + " × " + step[4] + " = " + u[5]);
        var size = textBox(x.text);
        for (var pass = 0; pass < 2 && !best; pass++) {  // free of labels and grads; else free of labels at least
          var others = pass ? placed : avoid.concat(placed);
          for (var c = 0; c < SPOTS.length && !best; c++) {
            var at = spots[i].at[SPOTS[c][0]], shift = SPOTS[c][1] * (size.height + 2);
            var r = { x: at.x + size.x - 2, y: at.y + 3 + shift + size.y - 1, width: size.width + 4, height: size.height + 2 };
            first = first || r;
            if (!others.some(function (o) { return overlap(o, r); })) best = r;
          }
        }
        best = best || first;  // nowhere free: where it belongs
        x.text.setAttribute("x", best.x + 2 - size.x);  // (the text's anchor, from its box measured at 0, 0)
        x.text.setAttribute("y", best.y + 1 - size.y);
        x.box.setAttribute("points", [best.x, best.y, best.x + best.width, best.y, best.x + best.width,
                                      best.y + best.height, best.x, best.y + best.height].join(" "));
        placed.push(best);
      });
    }

    // A label's box, as getBBox() gives it with the text at (0, 0), but measured on a canvas in the text's font: laying
    // the drawing out (after the step's first writes) would cost more than the whole step otherwise does.
    var ruler = null;
    function textBox(text) {
      if (!ruler) {
        var style = getComputedStyle(text);
        ruler = document.createElement("canvas").getContext("2d");
        ruler.font = [style.fontStyle, style.fontWeight, style.fontSize, style.fontFamily].join(" ");
      }
      var m = ruler.measureText(text.textContent);
      if (!(m.fontBoundingBoxAscent >= 0)) {  // a browser without a font's metrics on a canvas: lay the label out
        text.setAttribute("x", 0);
        text.setAttribute("y", 0);
        return text.getBBox();
      }
      return { x: -m.width / 2, y: -m.fontBoundingBoxAscent, width: m.width, height: m.fontBoundingBoxAscent + m.fontBoundingBoxDescent };
    }

    function overlap(a, b) {
      return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
    }

    // The view scrolls only when the step's node (its box and its op) is not inside it by a margin, and then it centres
    // the node along that axis, with the grads its step changes if they fit in the view too.
    // (Where it scrolls to: [top, left], kept inside the scrolled content; or null.)
    function follow(els, also) {
      var m = measure(), h = m.h, w = m.w, high = view.scrollHeight, wide = view.scrollWidth;
      if (high <= h && wide <= w) return null;
      var top = view.scrollTop, left = view.scrollLeft;
      var place = function (el) {  // where a shape is in the view: from its box in the drawing, without its layout
        var r = extent(shape(el), 0);
        return { left: m.x + (r.left - frame.x) * m.kx - left, right: m.x + (r.right - frame.x) * m.kx - left,
                 top: m.y + (r.top - frame.y) * m.ky - top, bottom: m.y + (r.bottom - frame.y) * m.ky - top };
      };
      var r = around(els, null, place), all = around(also, r, place);
      if (!r) return null;
      if (all && all.bottom - all.top <= h * 3 / 4 && all.right - all.left <= w * 3 / 4) r = all;
      var y = along(r.top, r.bottom, h), x = along(r.left, r.right, w);
      if (!x && !y) return null;
      return [Math.max(0, Math.min(high - h, top + y)), Math.max(0, Math.min(wide - w, left + x))];
    }

    // Where the drawing is in the view's scrolled content (in pixels), and its pixels per point: read once, and again
    // only when a size changes (see the ResizeObserver below; without one, read each time).
    var geometry = null;
    function measure() {
      if (!geometry || !window.ResizeObserver) {
        var c = view.getBoundingClientRect(), on = svg.getBoundingClientRect();
        geometry = { x: on.left - c.left - view.clientLeft + view.scrollLeft, y: on.top - c.top - view.clientTop + view.scrollTop,
                     kx: on.width / frame.width, ky: on.height / frame.height, w: view.clientWidth, h: view.clientHeight };
      }
      return geometry;
    }

    // Only the tiles in view, or within MARGIN of it, are drawn; the others are hidden until found (content-visibility:
    // hidden, so the browser keeps what it has laid out of them, and finding in the page still finds their text). A
    // step that scrolls shows, in the same frame, the tiles it brings into view, and only those.
    function reveal(top, left) {
      if (!shelf.length) return;
      var m = measure(), x0 = (left - MARGIN - m.x) / m.kx, x1 = (left + m.w + MARGIN - m.x) / m.kx;
      var y0 = (top - MARGIN - m.y) / m.ky, y1 = (top + m.h + MARGIN - m.y) / m.ky;
      shelf.forEach(function (t) {
        var near = t.x < x1 && x0 < t.x + t.w && t.y < y1 && y0 < t.y + t.h;
        if (near === !t.box.hasAttribute("hidden")) return;
        if (near) t.box.removeAttribute("hidden"); else t.box.setAttribute("hidden", "until-found");
      });
    }

    function around(els, r, place) {  // the box around the elements' boxes, and r
      els.forEach(function (el) {
        var b = el && place(el);
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
    view.addEventListener("scroll", function () { reveal(view.scrollTop, view.scrollLeft); }, { passive: true });
    if (window.ResizeObserver) {  // the view or the drawing changes its size: where is it now?
      var observer = new ResizeObserver(function () {
        geometry = null;
        reveal(view.scrollTop, view.scrollLeft);
      });
      observer.observe(view);
      observer.observe(sheet);
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
