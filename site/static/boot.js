// The island boot script: finds each `<!--frsh:Name:k-->` marker the server wrote, and once
// that island comes within a screen of the viewport loads its bundle and hydrates the
// element after the marker with the props the server rendered it with (JSON in
// #frsh-props). An island the reader never scrolls to costs nothing: a lesson's exercises
// load their code only when the reader reaches them.
//
// A classic script, not a module: a page opened straight from the disk (file:) may run it,
// while browsers refuse modules there. Islands need modules, so such a page stays as the
// server rendered it, readable, with nothing failing.
(() => {
  if (location.protocol === "file:") return;
  const base = new URL("../", document.currentScript.src);
  const props = JSON.parse(document.getElementById("frsh-props")?.textContent ?? "[]");
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_COMMENT);
  const found = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const m = /^frsh:(\w+):(\d+)$/.exec(node.data);
    if (m) found.push({ name: m[1], k: Number(m[2]), host: node.nextSibling });
  }

  async function hydrate({ name, k, host }) {
    const { mount } = await import(new URL(`islands/${name}.js`, base).href);
    mount(host, props[k].props);
    host.dataset.hydrated = "true";
  }
  const fail = (err) => console.error(err);

  if (!("IntersectionObserver" in globalThis)) {
    for (const island of found) hydrate(island).catch(fail);
    return;
  }
  const byHost = new Map(found.map((island) => [island.host, island]));
  const observer = new IntersectionObserver((entries) => {
    for (const e of entries) {
      if (!e.isIntersecting) continue;
      observer.unobserve(e.target);
      hydrate(byHost.get(e.target)).catch(fail);
    }
  }, { rootMargin: "100% 0px" });
  for (const { host } of found) observer.observe(host);
})();
