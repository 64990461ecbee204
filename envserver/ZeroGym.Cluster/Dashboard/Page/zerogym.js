// The ZeroGym page: asks /zerogym/view.json once a second and shows every node. The figures are "stale" when the
// node serving the page has not answered for a while, or when it answers but its own copy of the cluster view
// (refreshed once a second from the cluster) has not been refreshed for a while.
"use strict";

const viewUrl = "/zerogym/view.json";
const pollMilliseconds = 1000;
const staleSeconds = 3;

let lastAnswer = null;      // the last view.json received
let lastAnswerAt = null;    // when it was received (the browser's clock)
let lastError = null;       // why the last poll failed, or null

function element(tag, attributes = {}, text = null) {
  const made = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, value);
  if (text !== null) made.textContent = text;
  return made;
}

function formatNumber(value, digits = 0) {
  return Number(value).toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function formatTime(date) {
  return date.toLocaleTimeString("en-GB", { hour12: false });
}

function renderSummary(nodes) {
  const active = nodes.filter(node => node.status === "active");
  const totals = [
    [`${active.length} / ${nodes.length}`, "nodes active"],
    [formatNumber(active.reduce((sum, node) => sum + node.envs, 0)), "envs"],
    [formatNumber(active.reduce((sum, node) => sum + node.steps_per_s, 0)), "steps/s"],
    [formatNumber(active.reduce((sum, node) => sum + node.clients, 0)), "clients"],
  ];
  const summary = document.getElementById("summary");
  summary.replaceChildren(...totals.map(([value, label]) => {
    const total = element("div", { "data-total": label });
    total.append(element("span", { class: "value" }, value), element("span", { class: "label" }, label));
    return total;
  }));
}

function renderNodes(answer) {
  const mostEnvs = Math.max(1, ...answer.nodes.map(node => node.envs));
  const rows = answer.nodes.map(node => {
    const row = element("tr", { "data-node": node.name, class: node.status });
    row.append(
      element("td", { class: "name" }, node.name),
      element("td", { class: `status ${node.status}` }, node.status),
      element("td", { class: "endpoint" }, node.endpoint));
    const envs = element("td", { class: "number envs" }, formatNumber(node.envs));
    const bar = element("span", { class: "bar", "aria-hidden": "true" });
    bar.style.width = `${Math.round(100 * node.envs / mostEnvs)}%`;
    envs.append(bar);
    row.append(
      envs,
      element("td", { class: "number steps" }, formatNumber(node.steps_per_s)),
      element("td", { class: "number clients" }, formatNumber(node.clients)),
      element("td", { class: "number cores" }, formatNumber(node.cores)));
    return row;
  });
  document.querySelector("#nodes tbody").replaceChildren(...rows);
  document.getElementById("answering-node").textContent = answer.node;
}

// Says how fresh the figures are, and marks the page stale when they are not.
function renderFreshness() {
  const freshness = document.getElementById("freshness");
  const table = document.getElementById("nodes");
  let stale = null;
  if (lastAnswerAt === null) {
    stale = lastError === null ? null : `No answer from the dashboard's node yet: ${lastError}`;
  } else {
    const silentSeconds = (Date.now() - lastAnswerAt) / 1000;
    if (silentSeconds > staleSeconds) {
      stale = `Stale: no answer from ${lastAnswer.node} for ${Math.round(silentSeconds)} s` +
        ` (${lastError ?? "no reply"}); the figures are from ${formatTime(new Date(lastAnswerAt))}.`;
    } else if (lastAnswer.view_age_s > staleSeconds) {
      stale = `Stale: ${lastAnswer.node} answers, but its view of the cluster was last refreshed ` +
        `${Math.round(lastAnswer.view_age_s)} s ago (is the cluster's Redis reachable?).`;
    }
  }

  freshness.classList.toggle("stale", stale !== null);
  table.classList.toggle("stale", stale !== null);
  document.body.dataset.stale = stale === null ? "false" : "true";
  if (stale !== null) {
    freshness.textContent = stale;
  } else if (lastAnswer !== null) {
    freshness.textContent = `Live: updated ${formatTime(new Date(lastAnswerAt))} by ${lastAnswer.node}` +
      ` (its view of the cluster is ${formatNumber(lastAnswer.view_age_s, 1)} s old).`;
  }
}

async function poll() {
  try {
    const response = await fetch(viewUrl, { cache: "no-store", signal: AbortSignal.timeout(2 * pollMilliseconds) });
    if (!response.ok) throw new Error(`HTTP ${response.status}: ${(await response.text()).trim()}`);
    lastAnswer = await response.json();
    lastAnswerAt = Date.now();
    lastError = null;
    renderSummary(lastAnswer.nodes);
    renderNodes(lastAnswer);
  } catch (error) {
    lastError = error.name === "TimeoutError" ? "timed out" : error.message;
  }
  renderFreshness();
  setTimeout(poll, pollMilliseconds);
}

poll();
