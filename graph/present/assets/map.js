(function () {
  "use strict";
  function read(id) { return JSON.parse(document.getElementById(id).textContent); }
  var rawNodes = read("map-nodes"), rawEdges = read("map-edges");
  var options = read("map-options"), meta = read("map-meta");
  var SVG = "http://www.w3.org/2000/svg";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }
  function tipElement(lines) {
    var box = el("div", "tip");
    lines.forEach(function (line, i) {
      box.appendChild(el("div", "tip-line" + lineClass(line, i), shown(line, i)));
    });
    return box;
  }
  // the first line names, the second describes; a quoted line is what a source says
  function lineClass(line, i) {
    if (i === 0) { return " name"; }
    if (i === 1) { return " sub"; }
    return /^\s*\u201c/.test(line) ? " quote" : "";
  }
  function shown(line, i) {  // text only; a quote's indent gives way to its bar
    if (line === "") { return "\u00a0"; }
    return lineClass(line, i) === " quote" ? line.replace(/^\s+/, "") : line;
  }
  var colorMode = meta.color === "country" ? "country" : "kind";
  function nodeColor(n) {
    var fill = colorMode === "country" ? n.colorCountry : n.colorKind;
    var border = (n.color && n.color.border) || "#555555";
    return {background: fill, border: border,
            highlight: {background: fill, border: "#000000"},
            hover: {background: fill, border: "#000000"}};
  }
  var sigmaMode = meta.renderer === "sigma";
  if (!sigmaMode) {  // vis-network shows a node's title as its tooltip; sigma builds one on hover
    rawNodes.forEach(function (n) {
      n.title = tipElement(n.tip);
      n.color = nodeColor(n);
    });
    rawEdges.forEach(function (e) {
      e.title = tipElement(e.tip);
      e.color = {color: e.color, highlight: "#000000", hover: "#333333", inherit: false,
                 opacity: 0.85};
    });
  }
  var times = window.__mapTimes = {parsed: performance.now()};  // for benchmarks
  var byId = {}, byEdge = {};
  rawNodes.forEach(function (n) { byId[n.id] = n; });
  rawEdges.forEach(function (e) { byEdge[e.id] = e; });

  // -- legend --------------------------------------------------------------
  // mark: how a flagged node is drawn, by the basis of its findings (meta.bases)
  function swatch(shape, color, dashed, edge, mark) {
    var s = document.createElementNS(SVG, "svg");
    s.setAttribute("width", "22"); s.setAttribute("height", "16");
    var p;
    if (edge) {
      p = document.createElementNS(SVG, "line");
      p.setAttribute("x1", "1"); p.setAttribute("y1", "8");
      p.setAttribute("x2", "21"); p.setAttribute("y2", "8");
      p.setAttribute("stroke", color); p.setAttribute("stroke-width", "3");
      if (dashed) { p.setAttribute("stroke-dasharray", "5 3"); }
    } else {
      var shapes = {
        dot: "M11 2a6 6 0 1 0 0.01 0z", diamond: "M11 1 L18 8 L11 15 L4 8 Z",
        hexagon: "M7 2 L15 2 L19 8 L15 14 L7 14 L3 8 Z", square: "M4 2 H18 V14 H4 Z",
        star: "M11 1 L13 6 L19 6 L14 10 L16 15 L11 12 L6 15 L8 10 L3 6 L9 6 Z",
        triangle: "M11 2 L19 14 L3 14 Z", triangleDown: "M3 2 L19 2 L11 14 Z"};
      p = document.createElementNS(SVG, "path");
      p.setAttribute("d", shapes[shape] || shapes.dot);
      p.setAttribute("fill", color); p.setAttribute("stroke", "#555");
      if (mark) {  // a flagged node's border: red, dashed dark, or purple with a halo
        p.setAttribute("stroke", mark.color);
        p.setAttribute("stroke-width", "2");
        if (mark.key === "unrecorded") { p.setAttribute("stroke-dasharray", "3 2"); }
        if (mark.key === "stated") {
          var halo = document.createElementNS(SVG, "path");
          halo.setAttribute("d", shapes[shape] || shapes.dot);
          halo.setAttribute("fill", "none"); halo.setAttribute("stroke", mark.color);
          halo.setAttribute("stroke-opacity", "0.35"); halo.setAttribute("stroke-width", "5");
          s.appendChild(halo);
        }
      }
    }
    s.appendChild(p);
    return s;
  }
  var BASIS = {};
  (meta.bases || []).forEach(function (b) { BASIS[b.key] = b; });
  function markOf(key) { return BASIS[key] || {key: key, color: "#333333"}; }
  var COUNTRY_NAMES = {FI: "Finland", SE: "Sweden", NO: "Norway", DK: "Denmark",
                       RU: "Russia", IS: "Iceland", several: "several countries",
                       none: "no country known"};
  function legendRow(box, svg, text, count) {
    var row = el("div", "legend-row");
    row.appendChild(svg);
    row.appendChild(el("span", null, text));
    row.appendChild(el("span", "count", String(count)));
    box.appendChild(row);
    return row;
  }
  function drawLegend() {
    var box = document.getElementById("legend");
    box.textContent = "";
    yearLegend(box);
    box.appendChild(el("h2", null, colorMode === "kind" ? "Nodes (colour: kind)" :
                                    "Nodes (shape: kind)"));
    // with a year shown, the kinds are counted in that year (held then)
    var year = currentYear(), nodeCount = {}, edgeCount = {};
    if (year !== null) {
      rawNodes.forEach(function (n) {
        if (heldAt(n, year)) { nodeCount[n.kind] = (nodeCount[n.kind] || 0) + 1; } });
      rawEdges.forEach(function (e) {
        if (heldAt(e, year) && heldAt(byId[e.from], year) && heldAt(byId[e.to], year)) {
          edgeCount[e.kind] = (edgeCount[e.kind] || 0) + 1; } });
    }
    function counted(counts, k) { return year === null ? k.count : counts[k.key] || 0; }
    meta.kinds.forEach(function (k) {
      legendRow(box, swatch(sigmaMode ? "dot" : k.shape,
                            colorMode === "kind" ? k.color : "#ffffff"), k.key,
                counted(nodeCount, k));
    });
    if (colorMode === "country") {
      box.appendChild(el("h2", null, "Countries (colour)"));
      meta.countries.forEach(function (c) {
        legendRow(box, swatch("square", c.color),
                  COUNTRY_NAMES[c.key] ? (c.key.length === 2 ? c.key + " " : "") +
                  COUNTRY_NAMES[c.key] : c.key, c.count);
      });
    }
    if (meta.edgeKinds.length) {
      box.appendChild(el("h2", null, "Edges"));
      meta.edgeKinds.forEach(function (k) {
        legendRow(box, swatch(null, k.color, k.dashed, true), k.key.replace(/_/g, " "),
                  counted(edgeCount, k));
      });
    }
    if ((meta.bases || []).length) {
      box.appendChild(el("h2", null, "Findings rest on"));
      meta.bases.forEach(function (b) {
        var row = legendRow(box, swatch("dot", "#ffffff", false, false, b), b.text, b.count);
        row.className += " basis-" + b.key + (b.count ? "" : " none");
      });
      box.appendChild(el("p", "hint",
        "Stated by a source: a source document says so (hover for the quote). " +
        "Not recorded: the data hold no such fact, which may only mean nobody wrote it " +
        "down. Recorded overlap: recorded facts put two actors or projects on the same work."));
    }
    var flagged = Object.keys(meta.checkCounts);
    if (flagged.length) {
      box.appendChild(el("h2", null, "Flagged by the checks"));
      flagged.forEach(function (c) {
        legendRow(box, swatch("dot", "#ffffff", false, false,
                              markOf(c.indexOf("overlap") === 0 ? "recorded" : "unrecorded")),
                  c, meta.checkCounts[c]);
      });
    }
    box.appendChild(el("p", "hint", "Size: " + (meta.size || "number of ties") + "."));
  }

  // -- years ---------------------------------------------------------------
  // meta.slider: the years a slider offers, and per year what the as-of rule took on
  // trust; every node and edge carries `held`, the runs of years [first, last] in which
  // `regiograph map --as-of YEAR` draws it. The last position shows every year.
  var slider = meta.slider || {};
  var years = slider.years || [];
  var yearAt = years.length;  // the position of "all years"
  function currentYear() { return yearAt < years.length ? years[yearAt] : null; }
  function heldAt(item, year) {
    if (year === null || !item.held) { return true; }
    for (var i = 0; i < item.held.length; i += 1) {
      if (year >= item.held[i][0] && year <= item.held[i][1]) { return true; }
    }
    return false;
  }
  function yearLegend(box) {
    if (!years.length) {
      if (slider.why) { box.appendChild(el("p", "hint", "No year slider: " + slider.why + ".")); }
      return;
    }
    var note = el("div", "year-note");
    var year = currentYear();
    note.appendChild(el("div", "year", year === null ? "Shown: all years (" + years[0] +
                        "\u2013" + years[years.length - 1] + ")" : "Shown: as of " + year));
    note.appendChild(el("div", "trust", year === null ? slider.undated : slider.trust[yearAt]));
    if (year !== null && (meta.bases || []).length) {
      note.appendChild(el("div", "hint", "Findings marked are those of all years: " +
                          "check --as-of " + year + " gives that year's."));
    }
    box.appendChild(note);
  }

  // -- filters -------------------------------------------------------------
  function fill(select, items) {
    items.forEach(function (it) {
      var o = document.createElement("option");
      o.value = it.value; o.textContent = it.text;
      select.appendChild(o);
    });
  }
  var fKind = document.getElementById("filter-kind");
  var fCountry = document.getElementById("filter-country");
  var fStrategy = document.getElementById("filter-strategy");
  var fCheck = document.getElementById("filter-check");
  var fBasis = document.getElementById("filter-basis");
  fill(fKind, meta.kinds.map(function (k) { return {value: k.key, text: k.key}; }));
  fill(fCountry, meta.countries.map(function (c) {
    return {value: c.key, text: COUNTRY_NAMES[c.key] && c.key.length !== 2 ?
            COUNTRY_NAMES[c.key] : c.key}; }));
  fill(fStrategy, meta.strategies.map(function (s) { return {value: s.id, text: s.name}; }));
  fill(fCheck, meta.checks.map(function (c) { return {value: c, text: c}; }));
  fill(fBasis, (meta.bases || []).filter(function (b) { return b.count > 0; })
    .map(function (b) { return {value: b.key, text: b.text}; }));
  if (!meta.strategies.length) { document.getElementById("strategy-wrap").hidden = true; }
  if (!meta.checks.length) { document.getElementById("check-wrap").hidden = true; }
  if (!(meta.bases || []).length) { document.getElementById("basis-wrap").hidden = true; }

  // an overview (meta.overview) shows its groups; a click on one opens it: its members
  // are shown around it until the next click
  var opened = {};
  function openGroups() { return Object.keys(opened).filter(function (g) { return opened[g]; }); }
  function applyFilters() {
    var kind = fKind.value, country = fCountry.value;
    var strategy = fStrategy.value, check = fCheck.value, basis = fBasis.value;
    var shown = 0, updates = [], year = currentYear();
    rawNodes.forEach(function (n) {
      var ok = (n.kind === "group" || !kind || n.kind === kind) &&
               (!country || n.countryKey === country || n.countries.indexOf(country) >= 0) &&
               (!strategy || n.strategies.indexOf(strategy) >= 0) &&
               (!check || n.checks.indexOf(check) >= 0) &&
               (!basis || (n.bases || []).indexOf(basis) >= 0);
      if (n.group && !opened[n.group]) { ok = false; }
      if (ok && !heldAt(n, year)) { ok = false; }
      if (ok) { shown += 1; }
      updates.push({id: n.id, hidden: !ok});
    });
    view.hide(updates);
    if (years.length) {
      view.hideEdges(rawEdges.map(function (e) {
        return {id: e.id, hidden: !heldAt(e, year)}; }));
    }
    if (meta.overview) {
      var open = openGroups().length;
      setStatus(open ? open + " group" + (open === 1 ? "" : "s") + " open" : "");
    } else {
      setStatus(shown === rawNodes.length ? "" : shown + " of " + rawNodes.length + " shown");
    }
  }
  function toggleGroup(id) {
    opened[id] = !opened[id];
    applyFilters();
  }
  [fKind, fCountry, fStrategy, fCheck, fBasis].forEach(function (s) {
    s.addEventListener("change", applyFilters);
  });
  var colorSelect = document.getElementById("color-mode");
  colorSelect.value = colorMode;
  colorSelect.addEventListener("change", function () {
    colorMode = colorSelect.value;
    view.recolor();
    drawLegend();
  });

  // -- network -------------------------------------------------------------
  // Positions come with the data (computed when the page was written): no physics.
  // Up to a few thousand nodes vis-network draws them with shapes and tooltips; above
  // that sigma.js draws them with WebGL. `view` hides the difference from the rest.
  var container = document.getElementById("mynetwork");
  window.__mapReady = false;
  function ready() {
    times.drawn = performance.now();
    window.__mapReady = true;
  }
  var view = sigmaMode ? sigmaView() : visView();
  window.mapView = view;

  function visView() {
    var nodes = new vis.DataSet(rawNodes), edges = new vis.DataSet(rawEdges);
    var network = new vis.Network(container, {nodes: nodes, edges: edges}, options);
    window.network = network;
    times.created = performance.now();
    network.fit({animation: false});
    network.once("afterDrawing", ready);
    network.redraw();
    return {
      renderer: "vis",
      hide: function (updates) { nodes.update(updates); },
      hideEdges: function (updates) { edges.update(updates); },
      isHidden: function (id) { return !!nodes.get(id).hidden; },
      shown: function () {
        return nodes.get({filter: function (n) { return !n.hidden; }}).map(function (n) {
          return n.id; });
      },
      // drawn edges: not hidden, and both ends shown (vis-network hides the rest)
      shownEdges: function () {
        return edges.get({filter: function (e) {
          return !e.hidden && !nodes.get(e.from).hidden && !nodes.get(e.to).hidden; }})
          .map(function (e) { return [e.from, e.to, e.kind]; });
      },
      recolor: function () {
        nodes.update(rawNodes.map(function (n) { return {id: n.id, color: nodeColor(n)}; }));
      },
      focus: function (id) {
        network.selectNodes([id]);
        network.focus(id, {scale: Math.max(network.getScale(), 1.2), animation: false});
      },
      selected: function () { return network.getSelectedNodes(); },
      centreOffset: function (id) {
        var v = network.getViewPosition(), p = network.getPositions([id])[id];
        return Math.hypot(v.x - p.x, v.y - p.y);
      },
      reset: function () { network.unselectAll(); network.fit({animation: false}); },
      onClick: function (handler) {
        network.on("click", function (p) {
          if (p.nodes.length) { handler(byId[p.nodes[0]].tip, p.nodes[0]); }
          else if (p.edges.length) {
            var e = edges.get(p.edges[0]);
            if (e) { handler(e.tip); }
          }
        });
      }
    };
  }

  // The picking layer (the nodes drawn again, each in a colour of its own, to find the one
  // under the mouse) is drawn in the frame after the picture, so that the picture does
  // not wait for it (30-40 ms a frame at 30 000 nodes before the culling below); meanwhile
  // the mouse finds no node. Set before this line runs: the view is made above.
  var pickLater;  // program -> the render parameters of its last picture
  function drawPicking() {
    var due = pickLater;
    pickLater = null;
    due.forEach(function (params, program) { program.drawPicking(params); });
  }
  // Software WebGL (SwiftShader: headless Chromium, machines without a usable GPU) spends
  // ~15 µs on each instance of an instanced draw, and sigma draws every node and edge as
  // one (and the nodes twice, for picking): a frame of 30 000 nodes took 1.4 s, so a node
  // found by search showed that late. The same shaders fed plain triangles (an item's
  // attributes repeated for each of its vertices, then its corner data) draw that frame
  // in 0.1-0.3 s; a GPU draws either at once. Each frame draws only the items whose box
  // meets the view (a node found by search is seen close up: a few hundred of 30 000).
  // render and draw are sigma 3.0.3's Program.render (vendored), split in two.
  function plainTriangles(Program) {
    var count = Sigma.rendering.getAttributesItemsCount;
    return class extends Program {
      getDefinition() {
        var d = super.getDefinition();
        if (!("CONSTANT_ATTRIBUTES" in d)) { return d; }
        var at = {}, offset = 0;
        d.ATTRIBUTES.forEach(function (attr) { at[attr.name] = offset; offset += count([attr]); });
        this.corners = {item: count(d.ATTRIBUTES), corner: count(d.CONSTANT_ATTRIBUTES),
                        data: d.CONSTANT_DATA, reach: 0,
                        // where an item's position is (a node), or its two ends (an edge)
                        from: "a_position" in at ? at.a_position : at.a_positionStart,
                        to: "a_positionEnd" in at ? at.a_positionEnd : at.a_position};
        var plain = Object.assign({}, d, {ATTRIBUTES: d.ATTRIBUTES.concat(d.CONSTANT_ATTRIBUTES)});
        delete plain.CONSTANT_ATTRIBUTES;  // sigma draws instances only when these are given
        delete plain.CONSTANT_DATA;
        return plain;
      }
      processVisibleItem(index, start) {
        super.processVisibleItem.apply(this, arguments);  // the item's attributes at start
        var c = this.corners;
        if (!c) { return; }
        var a = this.array, stride = c.item + c.corner;
        for (var v = c.data.length - 1; v >= 0; v -= 1) {  // backwards: start is read last
          var at = start + v * stride;
          if (v > 0) { a.copyWithin(at, start, start + c.item); }
          for (var k = 0; k < c.corner; k += 1) { a[at + c.item + k] = c.data[v][k]; }
        }
        // the largest size drawn (a node's, an edge's thickness: the last argument)
        c.reach = Math.max(c.reach, arguments[arguments.length - 1].size || 1);
      }
      // the items that can show in the view of params: copied to this.shown, and how
      // many (-1: all of them). An item's box is widened by what the shaders add around
      // its position: a node reaches 4 sizes / sizeRatio pixels from its centre, an edge
      // at most its width; 16 pixels more for the edges' minimum width and feather.
      inView(params) {
        var c = this.corners;
        if (!c || c.from === undefined) { return -1; }
        var m = params.matrix, det = m[0] * m[4] - m[3] * m[1];
        if (!det) { return -1; }
        var margin = params.correctionRatio * (4 * c.reach / params.sizeRatio + 16);
        var x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
        [[-1, -1], [1, -1], [-1, 1], [1, 1]].forEach(function (corner) {  // clip space -> graph
          var u = corner[0] - m[6], w = corner[1] - m[7];
          var x = (m[4] * u - m[3] * w) / det, y = (m[0] * w - m[1] * u) / det;
          x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
        });
        x0 -= margin; x1 += margin; y0 -= margin; y1 += margin;
        var a = this.array, per = (c.item + c.corner) * c.data.length, items = this.capacity;
        if (!this.shown || this.shown.length !== a.length) { this.shown = new Float32Array(a.length); }
        var out = this.shown, kept = 0, run = -1;
        for (var i = 0; i <= items; i += 1) {
          var keep = false;
          if (i < items) {
            var p = i * per, ax = a[p + c.from], ay = a[p + c.from + 1];
            var bx = a[p + c.to], by = a[p + c.to + 1];
            keep = Math.min(ax, bx) <= x1 && Math.max(ax, bx) >= x0 &&
                   Math.min(ay, by) <= y1 && Math.max(ay, by) >= y0;
          }
          if (keep && run < 0) { run = i; }
          if (!keep && run >= 0) {  // copy the run of items kept that ends here
            out.set(a.subarray(run * per, i * per), kept * per);
            kept += i - run;
            run = -1;
          }
        }
        return kept === items ? -1 : kept;
      }
      draw(info, params) {  // sigma's Program.render for one of its programs, in view only
        var all = this.array, vertices = this.verticesCount, shown = this.inView(params);
        if (shown === 0) { return; }
        if (shown > 0) {
          this.array = this.shown.subarray(0, shown * (this.corners.item + this.corners.corner) *
                                           this.corners.data.length);
          this.verticesCount = shown * this.corners.data.length;
        }
        try {
          info.gl.viewport(0, 0, params.width * params.pixelRatio,
                           params.height * params.pixelRatio);
          this.bindProgram(info);
          this.renderProgram(params, info);
          this.unbindProgram(info);
        } finally {
          this.array = all;
          this.verticesCount = vertices;
        }
      }
      render(params) {  // the picture now, the picking pass left to drawPicking
        if (this.hasNothingToRender()) { return; }
        this.draw(this.normalProgram, params);
        if (this.pickProgram) {
          if (!pickLater) {
            pickLater = new Map();
            requestAnimationFrame(drawPicking);
          }
          pickLater.set(this, params);
        }
      }
      drawPicking(params) {
        if (this.hasNothingToRender()) { return; }
        this.draw(this.pickProgram, Object.assign({}, params, {
          pixelRatio: params.pixelRatio / params.downSizingRatio}));
      }
    };
  }

  function sigmaView() {
    var graph = new graphology.MultiDirectedGraph();
    var top = 1;
    rawNodes.forEach(function (n) { top = Math.max(top, n.value || 0); });
    function attributes(n) {
      var a = {x: n.x, y: -n.y, label: n.label, color: colorMode === "country" ?
               n.colorCountry : n.colorKind, size: 2.5 + 9 * (n.value || 0) / top,
               hidden: !!n.hidden};
      if (n.basis) {  // a flagged node: a ring in the colour of what its findings rest on
        a.type = "bordered";
        a.borderColor = BASIS[n.basis] ? BASIS[n.basis].color : "#333333";
        a.size += 2;
      }
      return a;
    }
    rawNodes.forEach(function (n) { graph.addNode(n.id, attributes(n)); });
    rawEdges.forEach(function (e) {
      graph.addEdgeWithKey(e.id, e.from, e.to, {color: e.color, size: e.width ? 2 : 0.6});
    });
    var bordered = Sigma.rendering.createNodeBorderProgram({borders: [
      {size: {value: 0.3}, color: {attribute: "borderColor"}},
      {size: {fill: true}, color: {attribute: "color"}}]});
    var renderer = new Sigma(graph, container, {
      nodeProgramClasses: {circle: plainTriangles(Sigma.rendering.NodeCircleProgram),
                           bordered: plainTriangles(bordered)},
      edgeProgramClasses: {line: plainTriangles(Sigma.rendering.EdgeRectangleProgram)},
      hideEdgesOnMove: rawEdges.length > 20000, renderEdgeLabels: false,
      labelRenderedSizeThreshold: 7, labelDensity: 0.5, labelGridCellSize: 90,
      labelFont: "system-ui, Arial, sans-serif", labelSize: 13,
      defaultEdgeType: "line", zIndex: true, minCameraRatio: 0.002, maxCameraRatio: 4});
    window.sigmaRenderer = renderer;
    times.created = performance.now();
    var tooltip = el("div", "map-tooltip");
    tooltip.hidden = true;
    container.appendChild(tooltip);
    renderer.on("enterNode", function (p) {
      tooltip.textContent = "";
      tooltip.appendChild(tipElement(byId[p.node].tip));
      tooltip.hidden = false;
    });
    renderer.on("leaveNode", function () { tooltip.hidden = true; });
    renderer.getMouseCaptor().on("mousemove", function (e) {
      tooltip.style.left = (e.x + 14) + "px";
      tooltip.style.top = (e.y + 14) + "px";
    });
    var selected = null;
    var ring = el("div", "map-ring"), ringLabel = el("div", "map-ring-label");
    ring.hidden = ringLabel.hidden = true;
    container.appendChild(ring);
    container.appendChild(ringLabel);
    function placeRing() {
      if (selected === null || graph.getNodeAttribute(selected, "hidden")) {
        ring.hidden = ringLabel.hidden = true;
        return;
      }
      var d = renderer.getNodeDisplayData(selected);
      var p = renderer.framedGraphToViewport({x: d.x, y: d.y});
      var r = renderer.scaleSize(d.size) + 6;
      ring.style.left = (p.x - r) + "px";
      ring.style.top = (p.y - r) + "px";
      ring.style.width = ring.style.height = (2 * r) + "px";
      ringLabel.textContent = byId[selected].label;
      ringLabel.style.left = (p.x + r + 4) + "px";
      ringLabel.style.top = (p.y - 10) + "px";
      ring.hidden = ringLabel.hidden = false;
    }
    renderer.on("afterRender", placeRing);
    renderer.refresh();  // draws at once; the frame after it is on the screen
    requestAnimationFrame(function () { requestAnimationFrame(ready); });
    return {
      renderer: "sigma",
      hide: function (updates) {
        var hidden = {};
        updates.forEach(function (u) { hidden[u.id] = u.hidden; });
        graph.updateEachNodeAttributes(function (id, a) {
          a.hidden = !!hidden[id];
          return a;
        }, {attributes: ["hidden"]});
      },
      hideEdges: function (updates) {
        var hidden = {};
        updates.forEach(function (u) { hidden[u.id] = u.hidden; });
        graph.updateEachEdgeAttributes(function (id, a) {
          a.hidden = !!hidden[id];
          return a;
        }, {attributes: ["hidden"]});
      },
      isHidden: function (id) { return !!graph.getNodeAttribute(id, "hidden"); },
      shown: function () {
        return graph.filterNodes(function (id, a) { return !a.hidden; });
      },
      // drawn edges: not hidden, and both ends shown (sigma draws no edge of a hidden node)
      shownEdges: function () {
        return graph.filterEdges(function (id, a, s, t, sa, ta) {
          return !a.hidden && !sa.hidden && !ta.hidden; })
          .map(function (id) { var e = byEdge[id]; return [e.from, e.to, e.kind]; });
      },
      recolor: function () {
        graph.updateEachNodeAttributes(function (id, a) {
          var n = byId[id];
          a.color = colorMode === "country" ? n.colorCountry : n.colorKind;
          return a;
        }, {attributes: ["color"]});
      },
      focus: function (id) {
        // the camera moves (a redraw, no reprocessing of the graph's 30 000 nodes, which a
        // changed node attribute would cost); a ring marks the node found
        selected = id;
        var d = renderer.getNodeDisplayData(id), camera = renderer.getCamera();
        camera.setState({x: d.x, y: d.y, ratio: Math.min(camera.getState().ratio, 0.08)});
        // drawn now rather than at the next frame: the rasteriser starts before that frame
        renderer.refresh({partialGraph: {nodes: [], edges: []}, skipIndexation: true});
        placeRing();
      },
      selected: function () { return selected === null ? [] : [selected]; },
      centreOffset: function (id) {
        var d = renderer.getNodeDisplayData(id), c = renderer.getCamera().getState();
        var p = renderer.framedGraphToViewport({x: d.x, y: d.y});
        var m = renderer.framedGraphToViewport({x: c.x, y: c.y});
        return Math.hypot(p.x - m.x, p.y - m.y);
      },
      reset: function () {
        selected = null;
        ring.hidden = ringLabel.hidden = true;
        renderer.getCamera().setState({x: 0.5, y: 0.5, ratio: 1, angle: 0});
      },
      onClick: function (handler) {
        renderer.on("clickNode", function (p) { handler(byId[p.node].tip, p.node); });
      }
    };
  }

  // -- details, search -----------------------------------------------------
  var details = document.getElementById("details");
  function showDetails(lines) {
    details.textContent = "";
    details.appendChild(el("h2", null, "Details"));
    lines.forEach(function (line, i) {
      details.appendChild(el("div", "line" + lineClass(line, i), shown(line, i)));
    });
  }
  view.onClick(function (tip, id) {
    showDetails(tip);
    if (id !== undefined && byId[id] && byId[id].kind === "group" && meta.overview) {
      toggleGroup(id);
    }
  });
  function setStatus(text) { document.getElementById("status").textContent = text; }
  var list = document.getElementById("search-list");
  // a list of tens of thousands of choices helps nobody and slows typing: the best
  // connected come first in the data's order of value, the rest are still found by Enter
  rawNodes.slice().sort(function (a, b) { return (b.value || 0) - (a.value || 0); })
    .slice(0, 5000).forEach(function (n) {
    var o = document.createElement("option");
    o.value = n.name;
    o.textContent = n.kind + " · " + n.id;
    list.appendChild(o);
  });
  function find(query) {
    var q = query.trim().toLowerCase();
    if (!q) { return null; }
    // exact name or id first, then a name or id starting with the text, then containing it
    var exact = null, prefix = null, part = null;
    for (var i = 0; i < rawNodes.length; i += 1) {
      var n = rawNodes[i], name = String(n.name).toLowerCase(), id = String(n.id).toLowerCase();
      if (name === q || id === q) { exact = n; break; }
      if (!prefix && (name.indexOf(q) === 0 || id.indexOf(q) === 0)) { prefix = n; }
      if (!part && (name.indexOf(q) >= 0 || id.indexOf(q) >= 0)) { part = n; }
    }
    return exact || prefix || part;
  }
  function focusNode(query) {
    var n = find(query);
    if (!n) { setStatus(query.trim() ? "no match" : ""); return null; }
    if (view.isHidden(n.id)) {
      fKind.value = ""; fCountry.value = ""; fStrategy.value = ""; fCheck.value = "";
      fBasis.value = "";
      if (n.group) { opened[n.group] = true; }
      if (!heldAt(n, currentYear())) { stop(); setYear(years.length); }  // found: all years
      else { applyFilters(); }
    }
    var started = performance.now();
    view.focus(n.id);
    showDetails(n.tip);
    times.focus = performance.now() - started;
    setStatus("");
    return n.id;
  }
  window.mapFocus = focusNode;
  var search = document.getElementById("search");
  search.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { ev.preventDefault(); focusNode(search.value); }
  });
  search.addEventListener("change", function () { focusNode(search.value); });
  document.getElementById("reset").addEventListener("click", function () {
    fKind.value = ""; fCountry.value = ""; fStrategy.value = ""; fCheck.value = "";
    fBasis.value = "";
    search.value = "";
    opened = {};
    if (years.length) { stop(); setYear(years.length); } else { applyFilters(); }
    view.reset();
  });
  // the slider: the last position shows every year; Play steps through the years
  var yearInput = document.getElementById("year");
  var yearShown = document.getElementById("year-shown");
  var playButton = document.getElementById("play");
  var playing = null;
  function setYear(at) {
    yearAt = Math.max(0, Math.min(years.length, at));
    yearInput.value = String(yearAt);
    yearShown.textContent = currentYear() === null ? "all years" : String(currentYear());
    applyFilters();
    drawLegend();
  }
  function stop() {
    if (playing !== null) { clearInterval(playing); playing = null; }
    playButton.textContent = "\u25b6 Play";
  }
  if (years.length) {
    document.getElementById("time-wrap").hidden = false;
    yearInput.max = String(years.length);
    yearInput.value = String(years.length);
    yearShown.textContent = "all years";
    yearInput.addEventListener("input", function () { stop(); setYear(+yearInput.value); });
    playButton.addEventListener("click", function () {
      if (playing !== null) { stop(); return; }
      if (yearAt >= years.length) { setYear(0); }
      playButton.textContent = "\u23f8 Pause";
      playing = setInterval(function () {
        if (yearAt >= years.length - 1) { setYear(years.length); stop(); return; }
        setYear(yearAt + 1);
      }, 1200);
    });
  }
  window.mapYear = setYear;
  drawLegend();
  if (meta.overview) { applyFilters(); }
})();
