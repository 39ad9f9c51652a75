// The island boot module: finds each `<!--frsh:Name:k-->` marker the server wrote, loads
// that island's bundle and hydrates the element after the marker with the props the server
// rendered it with (JSON in #frsh-props).
const props = JSON.parse(document.getElementById("frsh-props")?.textContent ?? "[]");
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_COMMENT);
const found = [];
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const m = /^frsh:(\w+):(\d+)$/.exec(node.data);
  if (m) found.push({ name: m[1], k: Number(m[2]), host: node.nextSibling });
}
for (const { name, k, host } of found) {
  const { mount } = await import(new URL(`../islands/${name}.js`, import.meta.url).href);
  mount(host, props[k].props);
  host.dataset.hydrated = "true";
}
