// Shared by both pages: large type, JSON requests, drawing MNIST digits on small canvases.
"use strict";

const digitnet = {
  // The answer's JSON, or an Error carrying the server's one-line message.
  async request(method, url, body, type) {
    const options = { method, headers: {} };
    if (body !== undefined) {
      options.body = body;
      options.headers["Content-Type"] = type || "application/json";
    }
    const response = await fetch(url, options);
    const json = await response.json().catch(() => ({ error: response.statusText }));
    if (!response.ok) throw new Error(json.error || ("HTTP " + response.status));
    return json;
  },

  // 784 values (0 paper .. 255 ink) drawn dark on light on a 28 x 28 canvas.
  drawDigit(canvas, pixels) {
    const context = canvas.getContext("2d");
    const image = context.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      const v = 255 - pixels[i];
      image.data.set([v, v, v, 255], 4 * i);
    }
    context.putImageData(image, 0, 0);
  },

  // A small captioned digit for the galleries.
  tile(pixels, caption, className) {
    const figure = document.createElement("figure");
    figure.className = "tile " + (className || "");
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 28;
    digitnet.drawDigit(canvas, pixels);
    const text = document.createElement("figcaption");
    text.textContent = caption;
    figure.append(canvas, text);
    return figure;
  },
};

document.addEventListener("DOMContentLoaded", () => {
  const large = document.getElementById("large");
  const apply = (on) => {
    document.body.classList.toggle("large", on);
    large.setAttribute("aria-pressed", String(on));
    localStorage.setItem("digitnet-large", on ? "1" : "");
  };
  apply(localStorage.getItem("digitnet-large") === "1");
  large.addEventListener("click", () => apply(!document.body.classList.contains("large")));
  document.addEventListener("keydown", (e) => {
    if ((e.key === "l" || e.key === "L") && !e.target.closest("input, select, textarea"))
      apply(!document.body.classList.contains("large"));
  });
});
