// The drawing page: strokes on the canvas (pointer events: mouse, pen, touch), the prediction
// while drawing (at most every 150 ms), a test digit or a photo read instead.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const canvas = document.getElementById("canvas");
  const context = canvas.getContext("2d");
  const verdict = document.getElementById("verdict");
  const bars = document.getElementById("bars");
  const seen = document.getElementById("seen");
  const error = document.getElementById("error");
  let strokes = [];        // each a list of [x, y] in canvas pixels
  let current = null;      // the stroke being drawn
  let shown = null;        // a test digit or a photo instead of strokes
  let pending = false, timer = null, lastSent = 0;
  // What is sent: the drawing scaled to 56 x 56 (twice MNIST's 28), enough for a digit that is
  // scaled into 20 x 20 anyway, and a 25th of the canvas's pixels for the server (preparing a
  // 112 x 112 picture took three times as long: docs/benchmarks.md, "The server under load").
  const sent = document.createElement("canvas");
  sent.width = sent.height = 56;

  for (let d = 0; d < 10; d++) {
    const item = document.createElement("li");
    item.innerHTML = '<span class="label"></span><span class="bar"><span class="fill"></span></span><span class="value"></span>';
    item.querySelector(".label").textContent = d;
    bars.append(item);
  }

  function paper() {
    context.fillStyle = "#fff";
    context.fillRect(0, 0, canvas.width, canvas.height);
  }
  function redraw() {
    paper();
    context.strokeStyle = "#000";
    context.lineWidth = 18;
    context.lineCap = context.lineJoin = "round";
    for (const stroke of strokes.concat(current ? [current] : [])) {
      context.beginPath();
      stroke.forEach(([x, y], i) => (i ? context.lineTo(x, y) : context.moveTo(x, y)));
      if (stroke.length === 1) context.lineTo(stroke[0][0] + 0.1, stroke[0][1]);
      context.stroke();
    }
  }
  function show(result) {
    error.textContent = "";
    const p = result.probabilities;
    verdict.textContent = result.confident
      ? String(result.digit)
      : "not sure: " + result.digit + " or " + result.second;
    verdict.classList.toggle("unsure", !result.confident);
    verdict.dataset.digit = result.digit;
    verdict.dataset.confident = result.confident;
    [...bars.children].forEach((item, d) => {
      item.querySelector(".fill").style.width = (100 * p[d]).toFixed(1) + "%";
      item.querySelector(".value").textContent = (100 * p[d]).toFixed(1) + "%";
      item.classList.toggle("top", d === result.digit);
    });
    digitnet.drawDigit(seen, result.seen);
  }
  function clearAnswer(text) {
    verdict.textContent = text;
    verdict.classList.remove("unsure");
    delete verdict.dataset.digit;
    [...bars.children].forEach((item) => {
      item.querySelector(".fill").style.width = "0";
      item.querySelector(".value").textContent = "";
      item.classList.remove("top");
    });
    seen.getContext("2d").clearRect(0, 0, 28, 28);
  }
  async function predictDrawing() {
    if (!strokes.length && !current) return clearAnswer("Draw a digit");
    if (pending) return schedule();
    pending = true;
    lastSent = Date.now();
    try {
      const small = sent.getContext("2d");
      small.imageSmoothingEnabled = true;
      small.imageSmoothingQuality = "high";
      small.drawImage(canvas, 0, 0, sent.width, sent.height);
      const blob = await new Promise((resolve) => sent.toBlob(resolve, "image/png"));
      show(await digitnet.request("POST", "/api/predict", blob, "image/png"));
    } catch (e) {
      error.textContent = e.message;
    } finally {
      pending = false;
    }
  }
  // While drawing: at most one prediction every 150 ms, and one when the stroke ends.
  function schedule() {
    if (timer) return;
    timer = setTimeout(() => { timer = null; predictDrawing(); },
                       Math.max(0, 150 - (Date.now() - lastSent)));
  }
  function point(e) {
    const r = canvas.getBoundingClientRect();
    return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
  }
  canvas.addEventListener("pointerdown", (e) => {
    if (shown) { strokes = []; shown = null; }
    canvas.setPointerCapture(e.pointerId);
    current = [point(e)];
    redraw();
    e.preventDefault();
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!current) return;
    current.push(point(e));
    redraw();
    schedule();
  });
  const end = () => {
    if (!current) return;
    strokes.push(current);
    current = null;
    redraw();
    predictDrawing();
  };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);

  function clear() { strokes = []; current = null; shown = null; redraw(); clearAnswer("Draw a digit"); error.textContent = ""; }
  function undo() { if (shown) return clear(); strokes.pop(); redraw(); predictDrawing(); }
  async function showDigit(index) {
    try {
      const d = await digitnet.request("GET", "/api/test-digit" + (index === undefined ? "" : "?index=" + index));
      shown = d;
      strokes = [];
      const small = document.createElement("canvas");
      small.width = small.height = 28;
      digitnet.drawDigit(small, d.pixels);
      paper();
      context.imageSmoothingEnabled = false;
      context.drawImage(small, 0, 0, canvas.width, canvas.height);
      const result = await digitnet.request("POST", "/api/predict", JSON.stringify({ pixels: d.pixels }));
      show(result);
      verdict.title = "test image " + d.index + ", labelled " + d.label;
      error.textContent = "";
    } catch (e) {
      error.textContent = e.message;
    }
  }
  async function readPhoto(file) {
    if (!file) return;
    try {
      const bitmap = await createImageBitmap(file);
      shown = { photo: true };
      strokes = [];
      paper();
      const scale = Math.min(canvas.width / bitmap.width, canvas.height / bitmap.height);
      context.drawImage(bitmap, (canvas.width - bitmap.width * scale) / 2,
                        (canvas.height - bitmap.height * scale) / 2, bitmap.width * scale, bitmap.height * scale);
    } catch (e) { /* the server says what is wrong with it */ }
    try {
      show(await digitnet.request("POST", "/api/predict", file, file.type || "application/octet-stream"));
    } catch (e) {
      clearAnswer("—");
      error.textContent = e.message;
    }
  }
  document.getElementById("clear").addEventListener("click", clear);
  document.getElementById("undo").addEventListener("click", undo);
  document.getElementById("random").addEventListener("click", () => showDigit());
  document.getElementById("photo").addEventListener("change", (e) => readPhoto(e.target.files[0]));
  canvas.addEventListener("dragover", (e) => e.preventDefault());
  canvas.addEventListener("drop", (e) => { e.preventDefault(); readPhoto(e.dataTransfer.files[0]); });
  document.addEventListener("keydown", (e) => {
    if (e.target.closest("input, select, textarea") || e.ctrlKey || e.metaKey || e.altKey) return;
    const key = e.key.toLowerCase();
    if (key === "c") clear();
    else if (key === "u" || key === "z") undo();
    else if (key === "r") showDigit();
  });

  digitnet.request("GET", "/api/model").then((m) => {
    const list = document.getElementById("model");
    const rows = [["layers", m.models.map((x) => x.layers).join(" + ")],
                  ["files", m.models.map((x) => x.file).join(", ")],
                  ["parameters", m.models.map((x) => x.parameters.toLocaleString()).join(" + ")],
                  ["test accuracy", m.test_accuracy === null ? "not measured (no test set)"
                    : (100 * m.test_accuracy).toFixed(2) + "% of " + m.test_images.toLocaleString() + " test images"],
                  ["trained by", m.recipe || "not known (the model file does not say)"],
                  ["not sure below", (100 * m.min_confidence).toFixed(0) + "% probability"]];
    for (const [k, v] of rows) {
      const dt = document.createElement("dt"), dd = document.createElement("dd");
      dt.textContent = k; dd.textContent = v;
      list.append(dt, dd);
    }
  }).catch((e) => { error.textContent = e.message; });
  digitnet.request("GET", "/api/mistakes").then(async (list) => {
    const gallery = document.getElementById("mistakes");
    for (const m of list.slice(0, 12)) {
      const d = await digitnet.request("GET", "/api/test-digit?index=" + m.index);
      const tile = digitnet.tile(d.pixels, "p" + m.digit + " t" + m.label + " " + (100 * m.confidence).toFixed(0) + "%");
      tile.tabIndex = 0;
      tile.setAttribute("role", "button");
      tile.setAttribute("aria-label", "test image " + m.index + ": read as " + m.digit + ", labelled " + m.label);
      tile.addEventListener("click", () => showDigit(m.index));
      tile.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); showDigit(m.index); } });
      gallery.append(tile);
    }
  }).catch(() => {});
  redraw();
});
