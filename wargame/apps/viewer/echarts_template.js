({ // What the chart and the map (chart.vue, map.vue) share, sent as their `methods`
  // (echarts_template.py). ipyvue reads this as `return <this file>` with only the first
  // line break undone: the object must open on the first line, after no comment.

  // ECharts from the copy the package keeps (wargame/_assets, served by the Solara server):
  // nothing is fetched from the internet. `then` gets it once loaded, unless the component
  // went meanwhile.
  loadEcharts(then) {
    // Solara's page sets window.solara.cdn; in a notebook its Jupyter extension serves the
    // same files under the notebook's base address, and JupyterLab has no requirejs of its own
    const cdn = window.solara ? window.solara.cdn : `${this.jupyterBase()}_solara/cdn`;
    this.withRequire(cdn, () => {
      window.requirejs([`${cdn}/echarts@5.4.0/dist/echarts.min.js`], (echarts) => {
        if (!this.gone) then(echarts);
      });
    });
  },
  withRequire(cdn, then) {
    if (window.requirejs) return then();
    const script = document.createElement("script");
    script.src = `${cdn}/requirejs@2.3.6/require.js`;
    script.onload = then;
    document.head.appendChild(script);
  },
  jupyterBase() {
    const config = document.getElementById("jupyter-config-data");
    return config ? JSON.parse(config.textContent).baseUrl : "";
  },
  // the chart and its resize observer let go, and an ECharts still loading told not to draw
  release() {
    this.gone = true;
    if (this.resizer) this.resizer.disconnect();
    if (this.chart) this.chart.dispose();
  },
})
