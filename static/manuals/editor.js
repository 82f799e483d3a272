// Screenshot manuals: annotation editor, step reordering, pasting/dropping screenshots, compare slider.
// Progressive enhancement: every page works without this file (forms post normally). CSP: no inline
// scripts or style attributes; sizes and clip paths are set through the CSSOM (element.style.x = ...).
//
// 1. Annotation editor. Markup comes from templates/manuals/_annotated_image.html with editable=True:
//    <figure class="annotated annotated-editable" data-annotator>
//      <div class="annotated-toolbar" role="toolbar" data-annotator-toolbar hidden>
//        <button type="button" data-tool="select|rect|arrow|callout|blur" aria-pressed="...">...</button>
//        <button type="button" data-action="delete">...</button>
//        <button type="button" data-action="clear" data-confirm="...">...</button>
//      </div>
//      <input type="hidden" name="annotations" value="[...relative JSON...]">
//      <div class="annotated-frame"><img ...><svg viewBox="0 0 W H" ...><g data-shapes>...</g></svg></div>
//    </figure>
//    Every change rewrites the hidden input (relative coordinates, 4 decimals; manuals.annotations.parse
//    validates it on the server) and fires "input" and "change" on it.
// 2. Step reordering: <ol data-sortable="POST url"> <li data-step-id="12"> ... <span data-drag-handle>
//    Posts order=12&order=7&... with X-CSRFToken and HX-Request; on failure puts the order back and shows
//    the server's text in the nearest [data-sortable-error]. Items' [data-step-number] are renumbered.
// 3. <form data-image-drop> with <input type="file" name="image">: drop an image on the form, or paste
//    one (Ctrl+V), and the form is submitted with it. [data-drop-zone] is highlighted (class drop-active),
//    [data-drop-status] shows the file name.
// 4. [data-compare-slider]: an <input type="range"> clips the .compare-new image laid over the old one.
//
// Sizes mirror manuals/annotations.py (stroke_width, callout_radius, arrowhead_length): change both.
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";
  var RED = "#d00";
  var MAX_SHAPES = 50;
  var MIN_DRAG_PX = 6; // on screen: a shorter drag is a click, not a shape
  var HIT_PX = 10; // on screen: how close a click must be to a line to pick it

  function strokeWidth(w) { return Math.max(3, Math.round(w * 0.003)); }
  function calloutRadius(w) { return Math.max(14, Math.round(w * 0.022)); }
  function arrowheadLength(w) { return Math.max(20, strokeWidth(w) * 6); }
  function clamp01(v) { return Math.min(1, Math.max(0, v)); }
  function round4(v) { return Math.round(v * 10000) / 10000; }

  function svgEl(name, attrs, parent) {
    var el = document.createElementNS(SVG_NS, name);
    Object.keys(attrs).forEach(function (key) { el.setAttribute(key, String(attrs[key])); });
    if (parent) { parent.appendChild(el); }
    return el;
  }

  function closestIn(target, selector, root) {
    var el = target && target.closest ? target.closest(selector) : null;
    return el && root.contains(el) ? el : null;
  }

  // Initialise everything under `scope` once (the whole page, or content htmx just swapped in).
  function onReady(fn) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { fn(document); });
    } else {
      fn(document);
    }
    document.addEventListener("htmx:load", function (event) { fn(event.target || document); });
  }

  function each(scope, selector, key, fn) {
    var nodes = Array.prototype.slice.call(scope.querySelectorAll ? scope.querySelectorAll(selector) : []);
    if (scope.matches && scope.matches(selector)) { nodes.unshift(scope); }
    nodes.forEach(function (node) {
      if (node[key]) { return; }
      node[key] = true;
      fn(node);
    });
  }

  // --- 1. annotation editor ----------------------------------------------------------------------------

  // Normalised copy of a shape: known keys only, clamped, 4 decimals (what the server expects).
  function normalise(s) {
    if (s.type === "rect" || s.type === "blur") {
      var x0 = clamp01(Math.min(s.x, s.x + s.w)), x1 = clamp01(Math.max(s.x, s.x + s.w));
      var y0 = clamp01(Math.min(s.y, s.y + s.h)), y1 = clamp01(Math.max(s.y, s.y + s.h));
      return { type: s.type, x: round4(x0), y: round4(y0), w: round4(x1 - x0), h: round4(y1 - y0) };
    }
    if (s.type === "arrow") {
      return { type: "arrow", x1: round4(clamp01(s.x1)), y1: round4(clamp01(s.y1)),
        x2: round4(clamp01(s.x2)), y2: round4(clamp01(s.y2)) };
    }
    return { type: "callout", x: round4(clamp01(s.x)), y: round4(clamp01(s.y)), n: s.n };
  }

  function readShapes(input) {
    var data;
    try { data = JSON.parse(input.value || "[]"); } catch (e) { return []; }
    if (!Array.isArray(data)) { return []; }
    return data.filter(function (s) {
      return s && ["rect", "arrow", "callout", "blur"].indexOf(s.type) !== -1;
    }).map(normalise);
  }

  function Annotator(root) {
    this.root = root;
    this.input = root.querySelector('input[name="annotations"]');
    this.svg = root.querySelector("svg");
    this.toolbar = root.querySelector("[data-annotator-toolbar]");
    if (!this.input || !this.svg) { return; }
    var box = this.svg.viewBox && this.svg.viewBox.baseVal;
    this.W = box && box.width ? box.width : 1000;
    this.H = box && box.height ? box.height : 1000;
    this.layer = this.svg.querySelector("[data-shapes]") || svgEl("g", { "data-shapes": "" }, this.svg);
    this.hatchId = this.ensureHatch();
    this.shapes = readShapes(this.input);
    this.selected = -1;
    this.drag = null;
    this.setTool("select");
    if (this.toolbar) { this.toolbar.hidden = false; }
    this.bind();
    this.render();
  }

  Annotator.prototype.ensureHatch = function () {
    var pattern = this.svg.querySelector("pattern[data-hatch]");
    if (pattern && pattern.id) { return pattern.id; }
    var id = "annot-hatch-js-" + Math.random().toString(36).slice(2);
    var size = Math.max(4, Math.round(this.W / 80));
    var defs = this.svg.querySelector("defs") || svgEl("defs", {}, null);
    if (!defs.parentNode) { this.svg.insertBefore(defs, this.svg.firstChild); }
    pattern = svgEl("pattern", { id: id, "data-hatch": "", width: size, height: size,
      patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" }, defs);
    svgEl("rect", { width: size, height: size, fill: "#000", "fill-opacity": "0.3" }, pattern);
    svgEl("rect", { width: Math.round(size / 2), height: size, fill: "#fff", "fill-opacity": "0.5" }, pattern);
    return id;
  };

  Annotator.prototype.bind = function () {
    var self = this;
    this.root.addEventListener("click", function (event) {
      var toolButton = closestIn(event.target, "[data-tool]", self.root);
      if (toolButton) { self.setTool(toolButton.getAttribute("data-tool")); return; }
      var action = closestIn(event.target, "[data-action]", self.root);
      if (!action) { return; }
      if (action.getAttribute("data-action") === "delete") {
        self.deleteSelected();
      } else if (action.getAttribute("data-action") === "clear") {
        var question = action.getAttribute("data-confirm");
        if (self.shapes.length && (!question || window.confirm(question))) {
          self.shapes = [];
          self.selected = -1;
          self.commit();
        }
      }
    });
    this.svg.addEventListener("pointerdown", function (event) { self.pointerDown(event); });
    this.svg.addEventListener("pointermove", function (event) { self.pointerMove(event); });
    this.svg.addEventListener("pointerup", function (event) { self.pointerUp(event, false); });
    this.svg.addEventListener("pointercancel", function (event) { self.pointerUp(event, true); });
    this.root.addEventListener("keydown", function (event) { self.keyDown(event); });
  };

  Annotator.prototype.setTool = function (tool) {
    this.tool = tool;
    this.root.setAttribute("data-active-tool", tool);
    Array.prototype.forEach.call(this.root.querySelectorAll("[data-tool]"), function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-tool") === tool ? "true" : "false");
    });
  };

  // Pointer position relative to the image (0..1), and how many relative units one screen pixel is.
  Annotator.prototype.point = function (event) {
    var r = this.svg.getBoundingClientRect();
    return {
      x: clamp01((event.clientX - r.left) / (r.width || 1)),
      y: clamp01((event.clientY - r.top) / (r.height || 1)),
      px: 1 / (r.width || 1),
      py: 1 / (r.height || 1)
    };
  };

  Annotator.prototype.nextNumber = function () {
    var used = {};
    this.shapes.forEach(function (s) { if (s.type === "callout") { used[s.n] = true; } });
    for (var n = 1; n <= 99; n += 1) { if (!used[n]) { return n; } }
    return 99;
  };

  function distanceToSegment(px, py, x1, y1, x2, y2) {
    var dx = x2 - x1, dy = y2 - y1, len2 = dx * dx + dy * dy;
    var t = len2 ? Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / len2)) : 0;
    return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
  }

  // Index of the shape under point p (image pixels), or -1. Callouts and arrows win over boxes, and the
  // smallest box wins, so a callout inside a highlighted box can still be picked.
  Annotator.prototype.hitTest = function (p) {
    var W = this.W, H = this.H, tol = HIT_PX * p.px * W;
    var x = p.x * W, y = p.y * H, i, s, best = -1, bestArea = Infinity;
    for (i = this.shapes.length - 1; i >= 0; i -= 1) {
      s = this.shapes[i];
      if (s.type === "callout" && Math.hypot(x - s.x * W, y - s.y * H) <= calloutRadius(W) + tol) { return i; }
      if (s.type === "arrow" && distanceToSegment(x, y, s.x1 * W, s.y1 * H, s.x2 * W, s.y2 * H) <= tol + strokeWidth(W)) { return i; }
    }
    for (i = this.shapes.length - 1; i >= 0; i -= 1) {
      s = this.shapes[i];
      if ((s.type === "rect" || s.type === "blur") &&
          x >= s.x * W - tol && x <= (s.x + s.w) * W + tol && y >= s.y * H - tol && y <= (s.y + s.h) * H + tol &&
          s.w * s.h < bestArea) {
        best = i;
        bestArea = s.w * s.h;
      }
    }
    return best;
  };

  Annotator.prototype.pointerDown = function (event) {
    if (event.button !== undefined && event.button !== 0) { return; }
    event.preventDefault(); // no text selection, no scrolling while drawing (touch-action: none too)
    if (this.svg.focus) { this.svg.focus({ preventScroll: true }); }
    var p = this.point(event);
    var handle = closestIn(event.target, "[data-handle]", this.svg);
    var shape;
    if (handle && this.selected !== -1) {
      this.drag = { mode: "resize", handle: handle.getAttribute("data-handle"), start: p,
        orig: JSON.parse(JSON.stringify(this.shapes[this.selected])) };
    } else if (this.tool === "select") {
      this.selected = this.hitTest(p);
      if (this.selected !== -1) {
        this.drag = { mode: "move", start: p, orig: JSON.parse(JSON.stringify(this.shapes[this.selected])), moved: false };
      }
      this.render();
    } else if (this.shapes.length >= MAX_SHAPES) {
      return;
    } else if (this.tool === "callout") {
      this.shapes.push({ type: "callout", x: p.x, y: p.y, n: this.nextNumber() });
      this.selected = this.shapes.length - 1;
      this.drag = { mode: "move", start: p, orig: JSON.parse(JSON.stringify(this.shapes[this.selected])), moved: true };
      this.render();
    } else {
      shape = this.tool === "arrow"
        ? { type: "arrow", x1: p.x, y1: p.y, x2: p.x, y2: p.y }
        : { type: this.tool, x: p.x, y: p.y, w: 0, h: 0 };
      this.shapes.push(shape);
      this.selected = this.shapes.length - 1;
      this.drag = { mode: "draw", start: p };
      this.render();
    }
    if (this.drag && this.svg.setPointerCapture) {
      try { this.svg.setPointerCapture(event.pointerId); } catch (e) { /* pointer already gone */ }
    }
  };

  Annotator.prototype.pointerMove = function (event) {
    if (!this.drag || this.selected === -1) { return; }
    var p = this.point(event), d = this.drag, s = this.shapes[this.selected], o = d.orig;
    var dx = p.x - d.start.x, dy = p.y - d.start.y;
    if (d.mode === "draw") {
      if (s.type === "arrow") {
        s.x2 = p.x;
        s.y2 = p.y;
      } else {
        s.x = Math.min(d.start.x, p.x);
        s.y = Math.min(d.start.y, p.y);
        s.w = Math.abs(p.x - d.start.x);
        s.h = Math.abs(p.y - d.start.y);
      }
    } else if (d.mode === "move") {
      if (Math.abs(dx) / p.px + Math.abs(dy) / p.py >= 2) { d.moved = true; }
      if (s.type === "arrow") {
        dx = Math.min(Math.max(dx, -Math.min(o.x1, o.x2)), 1 - Math.max(o.x1, o.x2));
        dy = Math.min(Math.max(dy, -Math.min(o.y1, o.y2)), 1 - Math.max(o.y1, o.y2));
        s.x1 = o.x1 + dx; s.x2 = o.x2 + dx; s.y1 = o.y1 + dy; s.y2 = o.y2 + dy;
      } else if (s.type === "callout") {
        s.x = clamp01(o.x + dx);
        s.y = clamp01(o.y + dy);
      } else {
        s.x = Math.min(Math.max(o.x + dx, 0), 1 - o.w);
        s.y = Math.min(Math.max(o.y + dy, 0), 1 - o.h);
      }
    } else if (d.mode === "resize") {
      if (s.type === "arrow") {
        s["x" + d.handle] = p.x;
        s["y" + d.handle] = p.y;
      } else {
        // The handle is a corner ("nw", "ne", "sw", "se"); the opposite corner stays put.
        var fx = d.handle.indexOf("w") !== -1 ? o.x + o.w : o.x;
        var fy = d.handle.indexOf("n") !== -1 ? o.y + o.h : o.y;
        s.x = Math.min(fx, p.x); s.w = Math.abs(p.x - fx);
        s.y = Math.min(fy, p.y); s.h = Math.abs(p.y - fy);
      }
    }
    this.render();
  };

  Annotator.prototype.pointerUp = function (event, cancelled) {
    var d = this.drag;
    if (!d) { return; }
    this.drag = null;
    var s = this.shapes[this.selected], p = this.point(event);
    if (d.mode === "draw" || d.mode === "resize") {
      var tooSmall = s.type === "arrow"
        ? Math.hypot((s.x2 - s.x1) / p.px, (s.y2 - s.y1) / p.py) < MIN_DRAG_PX
        : s.w / p.px < MIN_DRAG_PX || s.h / p.py < MIN_DRAG_PX;
      if (cancelled || tooSmall) {
        if (d.mode === "draw") {
          this.shapes.splice(this.selected, 1);
          this.selected = -1;
        } else {
          this.shapes[this.selected] = d.orig;
        }
        this.render();
        return;
      }
    } else if (cancelled) {
      this.shapes[this.selected] = d.orig;
      this.render();
      return;
    } else if (!d.moved) {
      this.render();
      return;
    }
    this.shapes[this.selected] = normalise(s);
    this.commit();
  };

  Annotator.prototype.keyDown = function (event) {
    var tag = event.target && event.target.tagName;
    if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (event.target && event.target.isContentEditable)) { return; }
    if ((event.key === "Delete" || event.key === "Backspace") && this.selected !== -1) {
      event.preventDefault();
      this.deleteSelected();
    } else if (event.key === "Escape") {
      if (this.drag) { this.pointerUp({ clientX: 0, clientY: 0 }, true); }
      this.selected = -1;
      this.setTool("select");
      this.render();
    } else if (this.selected !== -1 && event.key && event.key.indexOf("Arrow") === 0) {
      // Nudge the selected shape: 0.5 % of the image, 0.1 % with Shift.
      event.preventDefault();
      var step = event.shiftKey ? 0.001 : 0.005, s = this.shapes[this.selected];
      var dx = event.key === "ArrowLeft" ? -step : event.key === "ArrowRight" ? step : 0;
      var dy = event.key === "ArrowUp" ? -step : event.key === "ArrowDown" ? step : 0;
      if (s.type === "arrow") {
        dx = Math.min(Math.max(dx, -Math.min(s.x1, s.x2)), 1 - Math.max(s.x1, s.x2));
        dy = Math.min(Math.max(dy, -Math.min(s.y1, s.y2)), 1 - Math.max(s.y1, s.y2));
        s.x1 += dx; s.x2 += dx; s.y1 += dy; s.y2 += dy;
      } else if (s.type === "callout") {
        s.x = clamp01(s.x + dx); s.y = clamp01(s.y + dy);
      } else {
        s.x = Math.min(Math.max(s.x + dx, 0), 1 - s.w);
        s.y = Math.min(Math.max(s.y + dy, 0), 1 - s.h);
      }
      this.shapes[this.selected] = normalise(s);
      this.commit();
    }
  };

  Annotator.prototype.deleteSelected = function () {
    if (this.selected === -1) { return; }
    this.shapes.splice(this.selected, 1);
    this.selected = -1;
    this.commit();
  };

  // Write the hidden input (what the form posts), then redraw.
  Annotator.prototype.commit = function () {
    this.shapes = this.shapes.map(normalise);
    this.input.value = JSON.stringify(this.shapes);
    this.input.dispatchEvent(new Event("input", { bubbles: true }));
    this.input.dispatchEvent(new Event("change", { bubbles: true }));
    this.render();
  };

  // Same drawing as the template (and manuals.annotations.to_pixels).
  Annotator.prototype.drawShape = function (s, index) {
    var W = this.W, H = this.H, sw = strokeWidth(W), layer = this.layer, g;
    if (s.type === "rect") {
      svgEl("rect", { x: Math.round(s.x * W), y: Math.round(s.y * H), width: Math.max(1, Math.round(s.w * W)),
        height: Math.max(1, Math.round(s.h * H)), fill: "none", stroke: RED, "stroke-width": sw,
        "stroke-linejoin": "round", "data-index": index }, layer);
    } else if (s.type === "blur") {
      svgEl("rect", { x: Math.round(s.x * W), y: Math.round(s.y * H), width: Math.max(1, Math.round(s.w * W)),
        height: Math.max(1, Math.round(s.h * H)), fill: "url(#" + this.hatchId + ")", stroke: "#333",
        "stroke-width": sw, "stroke-dasharray": sw + " " + sw, "data-index": index, "data-blur": "" }, layer);
    } else if (s.type === "arrow") {
      var x1 = s.x1 * W, y1 = s.y1 * H, x2 = s.x2 * W, y2 = s.y2 * H;
      var head = arrowheadLength(W), half = head * 0.5;
      var length = Math.hypot(x2 - x1, y2 - y1) || 1;
      var ux = (x2 - x1) / length, uy = (y2 - y1) / length;
      var back = Math.min(head, length), bx = x2 - ux * back, by = y2 - uy * back;
      var points = [[x2, y2], [bx - uy * half, by + ux * half], [bx + uy * half, by - ux * half]]
        .map(function (pt) { return Math.round(pt[0]) + "," + Math.round(pt[1]); }).join(" ");
      g = svgEl("g", { "data-index": index }, layer);
      svgEl("line", { x1: Math.round(x1), y1: Math.round(y1), x2: Math.round(x2 - ux * back * 0.5),
        y2: Math.round(y2 - uy * back * 0.5), stroke: RED, "stroke-width": sw, "stroke-linecap": "round" }, g);
      svgEl("polygon", { points: points, fill: RED, stroke: RED, "stroke-width": 1, "stroke-linejoin": "round" }, g);
    } else if (s.type === "callout") {
      var r = calloutRadius(W), cx = Math.round(s.x * W), cy = Math.round(s.y * H);
      g = svgEl("g", { "data-index": index }, layer);
      svgEl("circle", { cx: cx, cy: cy, r: r, fill: RED, stroke: "#fff", "stroke-width": sw }, g);
      var text = svgEl("text", { x: cx, y: cy, fill: "#fff", "font-family": "Arial, Helvetica, sans-serif",
        "font-weight": "bold", "font-size": Math.round(r * (s.n < 10 ? 1.15 : 0.95)), "text-anchor": "middle",
        "dominant-baseline": "central" }, g);
      text.textContent = String(s.n);
    }
  };

  // Selection outline and handles (corners of boxes, ends of arrows), in screen-independent image pixels.
  Annotator.prototype.drawSelection = function (s) {
    var W = this.W, H = this.H, r = this.svg.getBoundingClientRect();
    var unit = W / (r.width || W); // image pixels per screen pixel
    var pad = 4 * unit, size = 10 * unit, g = svgEl("g", { class: "annotated-selection" }, this.layer);
    var x, y, w, h, handles = [];
    if (s.type === "arrow") {
      handles = [["1", s.x1 * W, s.y1 * H], ["2", s.x2 * W, s.y2 * H]];
    } else {
      if (s.type === "callout") {
        var cr = calloutRadius(W);
        x = s.x * W - cr; y = s.y * H - cr; w = h = 2 * cr;
      } else {
        x = s.x * W; y = s.y * H; w = s.w * W; h = s.h * H;
        handles = [["nw", x, y], ["ne", x + w, y], ["sw", x, y + h], ["se", x + w, y + h]];
      }
      svgEl("rect", { x: x - pad, y: y - pad, width: w + 2 * pad, height: h + 2 * pad, fill: "none",
        stroke: "#0d6efd", "stroke-width": 2 * unit, "stroke-dasharray": 6 * unit + " " + 4 * unit }, g);
    }
    handles.forEach(function (hd) {
      svgEl("rect", { x: hd[1] - size / 2, y: hd[2] - size / 2, width: size, height: size, fill: "#fff",
        stroke: "#0d6efd", "stroke-width": 2 * unit, "data-handle": hd[0], class: "annotated-handle handle-" + hd[0] }, g);
    });
  };

  Annotator.prototype.render = function () {
    var self = this;
    while (this.layer.firstChild) { this.layer.removeChild(this.layer.firstChild); }
    this.shapes.forEach(function (s, i) { self.drawShape(s, i); });
    if (this.selected >= this.shapes.length) { this.selected = -1; }
    if (this.selected !== -1) { this.drawSelection(this.shapes[this.selected]); }
    var del = this.root.querySelector('[data-action="delete"]');
    if (del) { del.disabled = this.selected === -1; }
    var clear = this.root.querySelector('[data-action="clear"]');
    if (clear) { clear.disabled = this.shapes.length === 0; }
  };

  onReady(function (scope) {
    each(scope, "[data-annotator]", "_pmoAnnotator", function (root) { root._pmoAnnotatorInstance = new Annotator(root); });
  });

  // --- 2. step reordering ------------------------------------------------------------------------------

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var field = document.querySelector("[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // The element matching `selector` nearest to `el`: inside it, or inside its closest ancestor that has one.
  function findNear(el, selector) {
    for (var node = el; node && node.querySelector; node = node.parentElement) {
      var found = node.querySelector(selector);
      if (found) { return found; }
    }
    return null;
  }

  function stepItems(list) {
    return Array.prototype.filter.call(list.children, function (child) { return child.hasAttribute("data-step-id"); });
  }

  function renumber(list) {
    stepItems(list).forEach(function (item, index) {
      Array.prototype.forEach.call(item.querySelectorAll("[data-step-number]"), function (el) {
        if (el.closest("[data-step-id]") === item) { el.textContent = String(index + 1); }
      });
    });
  }

  function showSortError(list, message) {
    var box = findNear(list, "[data-sortable-error]");
    if (!box) { return; }
    if (message) {
      box.textContent = message;
      box.hidden = false;
    } else {
      box.hidden = true;
    }
  }

  // Visible text of a response: plain text as is, HTML reduced to its text.
  function responseText(response) {
    return response.text().then(function (body) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("html") !== -1) {
        body = new DOMParser().parseFromString(body, "text/html").body.textContent || "";
      }
      return body.replace(/\s+/g, " ").trim();
    });
  }

  function saveOrder(list, previous, anchor) {
    var body = new URLSearchParams();
    stepItems(list).forEach(function (item) { body.append("order", item.getAttribute("data-step-id")); });
    list.setAttribute("aria-busy", "true");
    function revert(message) {
      previous.forEach(function (item) { list.insertBefore(item, anchor); });
      renumber(list);
      showSortError(list, message || (findNear(list, "[data-sortable-error]") || {}).textContent || "");
    }
    fetch(list.getAttribute("data-sortable"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/x-www-form-urlencoded;charset=UTF-8",
        "X-CSRFToken": csrfToken(),
        "HX-Request": "true"
      },
      body: body.toString()
    }).then(function (response) {
      if (response.ok) {
        showSortError(list, "");
        list.dispatchEvent(new CustomEvent("manuals:reordered", { bubbles: true }));
        return null;
      }
      return responseText(response).then(function (text) { revert(text || response.statusText); });
    }).catch(function () {
      revert("");
    }).then(function () {
      list.removeAttribute("aria-busy");
    });
  }

  function makeSortable(list) {
    list.addEventListener("pointerdown", function (event) {
      var handle = closestIn(event.target, "[data-drag-handle]", list);
      var item = handle && handle.closest("[data-step-id]");
      if (!item || item.parentElement !== list || (event.button !== undefined && event.button !== 0)) { return; }
      if (list.getAttribute("aria-busy") === "true") { return; }
      event.preventDefault();
      var before = stepItems(list);
      var anchor = before[before.length - 1].nextSibling;
      var pointerId = event.pointerId;
      item.classList.add("is-dragging");
      list.classList.add("is-sorting");
      // Listen on the document: moving the item in the DOM ends any pointer capture on its handle.

      function move(ev) {
        if (ev.pointerId !== pointerId) { return; }
        var others = stepItems(list).filter(function (other) { return other !== item; });
        var target = null;
        for (var i = 0; i < others.length; i += 1) {
          var r = others[i].getBoundingClientRect();
          if (ev.clientY < r.top + r.height / 2) { target = others[i]; break; }
        }
        if (target) {
          if (item.nextElementSibling !== target) { list.insertBefore(item, target); }
        } else if (others.length && others[others.length - 1].nextElementSibling !== item) {
          list.insertBefore(item, others[others.length - 1].nextSibling);
        }
        // Scroll when dragging near the top or bottom of the window.
        if (ev.clientY < 40) { window.scrollBy(0, -12); } else if (ev.clientY > window.innerHeight - 40) { window.scrollBy(0, 12); }
      }

      function end(ev) {
        if (ev.pointerId !== pointerId) { return; }
        document.removeEventListener("pointermove", move);
        document.removeEventListener("pointerup", end);
        document.removeEventListener("pointercancel", end);
        item.classList.remove("is-dragging");
        list.classList.remove("is-sorting");
        var after = stepItems(list);
        var changed = after.some(function (el, i) { return el !== before[i]; });
        if (!changed) { return; }
        if (ev.type === "pointercancel") {
          before.forEach(function (el) { list.insertBefore(el, anchor); });
          return;
        }
        renumber(list);
        saveOrder(list, before, anchor);
      }

      document.addEventListener("pointermove", move);
      document.addEventListener("pointerup", end);
      document.addEventListener("pointercancel", end);
    });
  }

  onReady(function (scope) { each(scope, "[data-sortable]", "_pmoSortable", makeSortable); });

  // --- 3. paste or drop a screenshot -------------------------------------------------------------------

  function hasFiles(event) {
    var types = event.dataTransfer && event.dataTransfer.types;
    return !!types && Array.prototype.indexOf.call(types, "Files") !== -1;
  }

  function firstImage(files) {
    for (var i = 0; files && i < files.length; i += 1) {
      if (files[i] && /^image\//.test(files[i].type)) { return files[i]; }
    }
    return null;
  }

  function useFile(form, file) {
    var input = form.querySelector('input[type="file"][name="image"]');
    if (!input || typeof DataTransfer === "undefined") { return false; }
    var transfer = new DataTransfer();
    transfer.items.add(file);
    input.files = transfer.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
    var status = form.querySelector("[data-drop-status]");
    if (status) {
      status.textContent = file.name;
      status.hidden = false;
    }
    if (typeof form.requestSubmit === "function") { form.requestSubmit(); } else { form.submit(); }
    return true;
  }

  function makeDropTarget(form) {
    var zone = form.querySelector("[data-drop-zone]") || form;
    var depth = 0;
    function off() { depth = 0; zone.classList.remove("drop-active"); }
    form.addEventListener("dragenter", function (event) {
      if (!hasFiles(event)) { return; }
      event.preventDefault();
      depth += 1;
      zone.classList.add("drop-active");
    });
    form.addEventListener("dragover", function (event) {
      if (!hasFiles(event)) { return; }
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
    });
    form.addEventListener("dragleave", function (event) {
      if (!hasFiles(event)) { return; }
      depth = Math.max(0, depth - 1);
      if (depth === 0) { off(); }
    });
    form.addEventListener("drop", function (event) {
      if (!hasFiles(event)) { return; }
      event.preventDefault();
      event.stopPropagation();
      off();
      var file = firstImage(event.dataTransfer.files);
      if (file) { useFile(form, file); }
    });
  }

  onReady(function (scope) { each(scope, "form[data-image-drop]", "_pmoImageDrop", makeDropTarget); });

  function dropForms() {
    return Array.prototype.filter.call(document.querySelectorAll("form[data-image-drop]"), function (form) {
      return form.querySelector('input[type="file"][name="image"]');
    });
  }

  // A file dropped next to the drop zone would make the browser leave the page and open it: refuse it.
  document.addEventListener("dragover", function (event) {
    if (hasFiles(event) && dropForms().length && !(event.target.closest && event.target.closest("form[data-image-drop]"))) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "none";
    }
  });
  document.addEventListener("drop", function (event) {
    if (hasFiles(event) && dropForms().length) { event.preventDefault(); }
  });

  document.addEventListener("paste", function (event) {
    var forms = dropForms();
    var data = event.clipboardData;
    if (!forms.length || !data) { return; }
    var file = firstImage(data.files);
    if (!file && data.items) {
      for (var i = 0; i < data.items.length && !file; i += 1) {
        if (data.items[i].kind === "file" && /^image\//.test(data.items[i].type)) { file = data.items[i].getAsFile(); }
      }
    }
    if (!file) { return; }
    // Pasting into a text field something that is also text (say, cells from a spreadsheet) stays text.
    var target = event.target;
    var typing = target && (target.isContentEditable || /^(TEXTAREA|INPUT)$/.test(target.tagName) &&
      !/^(file|button|submit|checkbox|radio|hidden)$/i.test(target.type || ""));
    if (typing && Array.prototype.indexOf.call(data.types || [], "text/plain") !== -1) { return; }
    var form = forms.filter(function (f) { return f.contains(document.activeElement); })[0] || forms[0];
    event.preventDefault();
    useFile(form, file);
  });

  // --- 4. compare slider -------------------------------------------------------------------------------

  function makeCompareSlider(slider) {
    var range = slider.querySelector('input[type="range"]');
    var top = slider.querySelector(".compare-new");
    if (!range || !top) { return; }
    function update() {
      var min = parseFloat(range.min || "0"), max = parseFloat(range.max || "100");
      var value = parseFloat(range.value);
      var shown = max > min ? Math.min(100, Math.max(0, (value - min) / (max - min) * 100)) : 100;
      var clip = "inset(0 " + (100 - shown).toFixed(2) + "% 0 0)";
      top.style.clipPath = clip;
      top.style.webkitClipPath = clip;
    }
    range.addEventListener("input", update);
    range.addEventListener("change", update);
    slider.classList.add("compare-ready");
    update();
  }

  onReady(function (scope) { each(scope, "[data-compare-slider]", "_pmoCompare", makeCompareSlider); });
})();
