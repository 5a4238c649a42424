// The learning page: start a shipped recipe, follow it through Server-Sent Events
// (/api/learn/events): accuracy and cost per epoch, the first layer's weights, live guesses.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const $ = (id) => document.getElementById(id);
  const recipe = $("recipe"), status = $("status"), error = $("error"), progress = $("progress");
  let guessRow = null, weightsVersion = -1, state = null;

  function chart(canvas, points, low, high, format) {
    const c = canvas.getContext("2d"), w = canvas.width, h = canvas.height, pad = 36;
    c.clearRect(0, 0, w, h);
    c.strokeStyle = "#888";
    c.strokeRect(pad, 8, w - pad - 8, h - pad - 8);
    c.fillStyle = "#444";
    c.font = "12px sans-serif";
    c.fillText(format(high), 2, 16);
    c.fillText(format(low), 2, h - pad);
    const epochs = Math.max(state ? state.epochs : 1, 1);
    c.fillText("epoch 1", pad, h - 12);
    c.fillText(String(epochs), w - 24, h - 12);
    if (!points.length) return;
    const x = (i) => pad + (w - pad - 8) * (epochs === 1 ? 0.5 : i / (epochs - 1));
    const y = (v) => 8 + (h - pad - 8) * (1 - (v - low) / Math.max(high - low, 1e-9));
    c.strokeStyle = "#1565c0";
    c.lineWidth = 3;
    c.beginPath();
    points.forEach((v, i) => (i ? c.lineTo(x(i), y(v)) : c.moveTo(x(i), y(v))));
    c.stroke();
    c.fillStyle = "#1565c0";
    points.forEach((v, i) => { c.beginPath(); c.arc(x(i), y(v), 4, 0, 7); c.fill(); });
  }

  function render(s) {
    state = s;
    const running = s.running;
    $("start").disabled = running;
    $("stop").disabled = !running;
    $("pause").disabled = !running;
    $("pause").textContent = s.paused ? "Resume" : "Pause";
    $("step").disabled = !running || !s.paused;
    if (s.recipe) {
      const done = s.per_epoch ? s.examples / s.per_epoch : 0;
      const finished = s.history ? s.history.length : 0;
      const last = finished ? s.history[finished - 1] : null;
      status.textContent = s.recipe + " (" + s.summary + "): " +
        (s.error ? "failed" : s.phase) + (running ? ", epoch " + (s.epoch + 1) + " of " + s.epochs : "") +
        (s.paused ? ", paused" : "") +
        (last && last.accuracy !== undefined ? "; test accuracy " + (100 * last.accuracy).toFixed(2) + "%" : "");
      progress.value = done;
      status.dataset.epochs = finished;
    }
    error.textContent = s.error || "";
    const history = s.history || [];
    const accuracy = history.map((p) => p.accuracy || 0), cost = history.map((p) => p.cost);
    chart($("accuracy"), accuracy, Math.min(0.8, ...accuracy), 1, (v) => (100 * v).toFixed(0) + "%");
    chart($("cost"), cost, 0, Math.max(0.01, ...cost), (v) => v.toFixed(2));
    if (s.weights_version !== weightsVersion && s.weights_version > 0 && s.recipe) {
      weightsVersion = s.weights_version;
      $("weights").src = "/api/learn/weights.png?v=" + weightsVersion;
      $("weights").dataset.version = weightsVersion;
    }
    if (!guessRow && s.guess_row) guessRow = s.guess_row;
    if (!guessRow && running) refreshRow();
    const gallery = $("guesses");
    if (guessRow && s.guesses && s.guesses.length) {
      gallery.replaceChildren(...s.guesses.map((g, i) => digitnet.tile(
        guessRow[i].pixels, "guess " + g.digit, g.digit === g.label ? "right" : "wrong")));
    }
  }
  async function refreshRow() {
    const s = await digitnet.request("GET", "/api/learn/state").catch(() => null);
    if (s && s.guess_row) guessRow = s.guess_row;
  }
  async function call(path, body) {
    try {
      render(await digitnet.request("POST", "/api/learn/" + path, body === undefined ? undefined : JSON.stringify(body)));
      error.textContent = "";
    } catch (e) {
      error.textContent = e.message;
    }
  }

  $("start").addEventListener("click", async () => {
    guessRow = null;
    weightsVersion = -1;
    await call("speed", { delay_ms: Number($("speed").value) });
    await call("start", { recipe: recipe.value });
  });
  $("stop").addEventListener("click", () => call("stop"));
  $("pause").addEventListener("click", () => call("pause", { paused: !(state && state.paused) }));
  $("step").addEventListener("click", () => call("step"));
  $("speed").addEventListener("change", () => call("speed", { delay_ms: Number($("speed").value) }));

  digitnet.request("GET", "/api/learn/recipes").then((r) => {
    for (const item of r.recipes) {
      const option = document.createElement("option");
      option.value = item.name;
      option.textContent = item.name + " — " + item.summary;
      recipe.append(option);
    }
    $("limits").textContent = "Runs are limited to " + r.max_epochs + " epochs on " +
      r.max_images.toLocaleString() + " training images, one at a time.";
  }).catch((e) => { error.textContent = e.message; $("start").disabled = true; });
  digitnet.request("GET", "/api/learn/state").then(render).catch(() => {});
  const events = new EventSource("/api/learn/events");
  events.onmessage = (e) => render(JSON.parse(e.data));
});
