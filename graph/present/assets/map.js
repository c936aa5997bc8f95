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
  rawNodes.forEach(function (n) {
    n.title = tipElement(n.tip);
    n.color = nodeColor(n);
  });
  rawEdges.forEach(function (e) {
    e.title = tipElement(e.tip);
    e.color = {color: e.color, highlight: "#000000", hover: "#333333", inherit: false,
               opacity: 0.85};
  });
  var times = window.__mapTimes = {parsed: performance.now()};  // for benchmarks
  var nodes = new vis.DataSet(rawNodes), edges = new vis.DataSet(rawEdges);
  var byId = {};
  rawNodes.forEach(function (n) { byId[n.id] = n; });

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
    box.appendChild(el("h2", null, colorMode === "kind" ? "Nodes (colour: kind)" :
                                    "Nodes (shape: kind)"));
    meta.kinds.forEach(function (k) {
      legendRow(box, swatch(k.shape, colorMode === "kind" ? k.color : "#ffffff"), k.key,
                k.count);
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
                  k.count);
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

  function applyFilters() {
    var kind = fKind.value, country = fCountry.value;
    var strategy = fStrategy.value, check = fCheck.value, basis = fBasis.value;
    var shown = 0, updates = [];
    rawNodes.forEach(function (n) {
      var ok = (!kind || n.kind === kind) && (!country || n.countryKey === country ||
                n.countries.indexOf(country) >= 0) &&
               (!strategy || n.strategies.indexOf(strategy) >= 0) &&
               (!check || n.checks.indexOf(check) >= 0) &&
               (!basis || (n.bases || []).indexOf(basis) >= 0);
      if (ok) { shown += 1; }
      updates.push({id: n.id, hidden: !ok});
    });
    nodes.update(updates);
    setStatus(shown === rawNodes.length ? "" : shown + " of " + rawNodes.length + " shown");
  }
  [fKind, fCountry, fStrategy, fCheck, fBasis].forEach(function (s) {
    s.addEventListener("change", applyFilters);
  });
  var colorSelect = document.getElementById("color-mode");
  colorSelect.value = colorMode;
  colorSelect.addEventListener("change", function () {
    colorMode = colorSelect.value;
    nodes.update(rawNodes.map(function (n) { return {id: n.id, color: nodeColor(n)}; }));
    drawLegend();
  });

  // -- network -------------------------------------------------------------
  var container = document.getElementById("mynetwork");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, options);
  window.network = network;
  times.created = performance.now();
  window.__mapReady = false;
  var loading = document.getElementById("loading");
  if (meta.large) { loading.style.display = "flex"; }
  network.on("stabilizationProgress", function (p) {
    document.getElementById("loading-bar").style.width =
      Math.round(100 * p.iterations / p.total) + "%";
  });
  var finished = false;
  function done() {
    if (finished) { return; }
    finished = true;
    times.stabilized = performance.now();
    network.setOptions({physics: {enabled: false}});
    loading.style.display = "none";
    network.fit({animation: false});
    network.once("afterDrawing", function () {
      times.drawn = performance.now();
      window.__mapReady = true;
    });
    network.redraw();
  }
  network.once("stabilizationIterationsDone", done);
  network.once("stabilized", done);

  // -- details, search -----------------------------------------------------
  var details = document.getElementById("details");
  function showDetails(lines) {
    details.textContent = "";
    details.appendChild(el("h2", null, "Details"));
    lines.forEach(function (line, i) {
      details.appendChild(el("div", "line" + lineClass(line, i), shown(line, i)));
    });
  }
  network.on("click", function (p) {
    if (p.nodes.length) { showDetails(byId[p.nodes[0]].tip); }
    else if (p.edges.length) {
      var e = edges.get(p.edges[0]);
      if (e) { showDetails(e.tip); }
    }
  });
  function setStatus(text) { document.getElementById("status").textContent = text; }
  var list = document.getElementById("search-list");
  rawNodes.forEach(function (n) {
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
    if (nodes.get(n.id).hidden) {
      fKind.value = ""; fCountry.value = ""; fStrategy.value = ""; fCheck.value = "";
      fBasis.value = "";
      applyFilters();
    }
    network.selectNodes([n.id]);
    network.focus(n.id, {scale: Math.max(network.getScale(), 1.2), animation: false});
    showDetails(n.tip);
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
    applyFilters();
    network.unselectAll();
    network.fit({animation: false});
  });
  drawLegend();
})();
