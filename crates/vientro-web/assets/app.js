/*
 * vientro — the only first-party script. Progressive enhancement only: every page works without it.
 *
 * Loaded last, with `defer`, after /assets/vendor/echarts.min.js and /assets/vendor/htmx.min.js.
 * CSP-safe: no inline code, no eval, no `new Function`, no inline <style>.
 *
 * Charts: <div class="chart" data-chart="bars|hbars|pie|map" data-chart-data="ID" aria-label="…"></div>
 * with the data in <script type="application/json" id="ID">…</script>. Any content already in the
 * div (e.g. a "see the table below" fallback) is replaced when the chart renders.
 *   bars, hbars: {"categories": [..], "series": [{"name": "..", "values": [..], "color": "#.." (optional)}], "unit": ".."}
 *   pie:         {"items": [{"name": "..", "value": 1}], "unit": ".."}
 *   map:         {"map": "provinces-34"|"provinces-63", "values": [{"code": "04", "name": "..", "value": 1}],
 *                 "unit": "..", "label": "..", "highlight": "04" (optional), "link": "/x/{code}" (optional)}
 */
(function () {
  'use strict';

  var doc = document;
  var root = doc.documentElement;
  root.classList.add('js');

  var lang = (root.getAttribute('lang') || 'vi').toLowerCase();
  var EN = lang.indexOf('en') === 0;
  var LOCALE = EN ? 'en-GB' : 'vi-VN';
  var T = EN
    ? { noData: 'No data', mapFailed: 'The map could not be loaded.', hoangSa: 'Hoàng Sa Archipelago', truongSa: 'Trường Sa Archipelago' }
    : { noData: 'Chưa có dữ liệu', mapFailed: 'Không tải được bản đồ.', hoangSa: 'Quần đảo Hoàng Sa', truongSa: 'Quần đảo Trường Sa' };

  var numFmt = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 2 });
  var pctFmt = new Intl.NumberFormat(LOCALE, { style: 'percent', maximumFractionDigits: 1 });

  // Base URL of the assets, taken from this script's own src (works under a path prefix too).
  var ASSETS = (function () {
    var s = doc.currentScript && doc.currentScript.src;
    return s ? s.slice(0, s.lastIndexOf('/') + 1) : '/assets/';
  })();

  function isNum(v) { return typeof v === 'number' && isFinite(v); }
  function num(v) { return isNum(v) ? numFmt.format(v) : '–'; }
  function withUnit(v, unit) { return isNum(v) && unit ? num(v) + '\u00a0' + unit : num(v); }
  function clip(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1).replace(/\s+$/, '') + '…' : s; }
  function esc(s) {
    return String(s == null ? '' : s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  /* ---------------------------------------------------------------- forms */

  // [data-confirm] on a form (or on the button that submits it): ask first. Capture phase, so a
  // declined confirmation also stops htmx from sending the request.
  doc.addEventListener('submit', function (e) {
    var form = e.target;
    if (!form || form.nodeName !== 'FORM') return;
    var btn = e.submitter;
    var msg = (btn && btn.getAttribute && btn.getAttribute('data-confirm')) || form.getAttribute('data-confirm');
    if (msg && !window.confirm(msg)) {
      e.preventDefault();
      e.stopPropagation();
    }
  }, true);

  // select[data-autosubmit]: submit the form on change.
  doc.addEventListener('change', function (e) {
    var el = e.target;
    if (!el || el.nodeName !== 'SELECT' || !el.hasAttribute('data-autosubmit') || !el.form) return;
    var form = el.form;
    if (typeof form.requestSubmit === 'function') form.requestSubmit();
    else form.submit();
  });

  /* ----------------------------------------------------------------- htmx */

  // CSRF token on every same-origin htmx request.
  doc.addEventListener('htmx:configRequest', function (e) {
    var meta = doc.querySelector('meta[name="csrf-token"]');
    var token = meta && meta.getAttribute('content');
    if (!token || !e.detail || !e.detail.headers) return;
    try {
      if (new URL(e.detail.path || '', window.location.href).origin !== window.location.origin) return;
    } catch (err) { return; }
    e.detail.headers['X-CSRF-Token'] = token;
  });

  doc.addEventListener('htmx:load', function (e) { renderCharts(e.target); });
  doc.addEventListener('htmx:afterSwap', function (e) { renderCharts(e.target); });
  doc.addEventListener('htmx:afterSettle', function (e) { renderCharts(e.target); });
  doc.addEventListener('htmx:historyRestore', function () { renderCharts(doc); });
  // Keep rendered charts out of htmx's history snapshot (it would store dead SVG).
  doc.addEventListener('htmx:beforeHistorySave', function (e) {
    disposeCharts((e.detail && e.detail.historyElt) || doc.body);
  });

  /* --------------------------------------------------------------- charts */

  var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Helvetica Neue", Arial, sans-serif';
  var TEXT = '#1f2937';
  var PALETTE = ['#1f5f99', '#2e9d6a', '#d08a1e', '#7a4f9a', '#c2453c', '#3d8fbf', '#8a6d3b', '#2f8f8a', '#b5527f', '#6b7280'];
  var MAP_RANGE = ['#d7e7f5', '#7fb0da', '#1f5f99', '#0c355c'];
  var NO_DATA_GREY = '#e6e7ea';
  var REDUCED_MOTION = !!(window.matchMedia && window.matchMedia('(prefers-reduced-motion: reduce)').matches);
  var ISLANDS = [
    { key: 'hoangSa', coord: [112.0, 15.6] },  // labels sit just below each island group
    { key: 'truongSa', coord: [114.5, 7.0] }
  ];

  var live = [];            // [{el, chart}]
  var pending = [];         // elements not yet visible (zero width): retried on resize / toggle
  var mapCache = {};        // map name -> Promise<{names: {code: name}}>

  function echartsReady() { return typeof window.echarts === 'object' && window.echarts && typeof window.echarts.init === 'function'; }

  function renderCharts(scope) {
    if (!echartsReady()) return;
    sweep();
    var rootEl = scope && scope.querySelectorAll ? scope : doc;
    var els = [];
    if (rootEl.matches && rootEl.matches('[data-chart]')) els.push(rootEl);
    Array.prototype.push.apply(els, rootEl.querySelectorAll('[data-chart]'));
    els.forEach(renderOne);
  }

  function renderOne(el) {
    if (el.__vtChart || el.__vtBusy || el.__vtEmpty || !el.isConnected || el.hasAttribute('data-chart-error')) return;
    var kind = el.getAttribute('data-chart');
    var build = BUILDERS[kind];
    if (!build) { markFailed(el, 'unknown chart kind "' + kind + '"'); return; }
    var data = readData(el);
    if (!data) return;
    if (!el.clientHeight) el.style.height = '320px';
    if (!el.clientWidth) { if (pending.indexOf(el) < 0) pending.push(el); return; }
    var i = pending.indexOf(el);
    if (i >= 0) pending.splice(i, 1);
    if (!el.hasAttribute('role')) el.setAttribute('role', 'img');
    el.__vtBusy = true;
    new Promise(function (resolve) { resolve(build(el, data)); }).then(function (option) {
      el.__vtBusy = false;
      if (!option) { el.__vtEmpty = true; return; }
      if (!el.isConnected || el.__vtChart) return;
      mount(el, option.option || option, option.onClick);
    }, function (err) {
      el.__vtBusy = false;
      showMessage(el, kind === 'map' ? T.mapFailed : T.noData);
      markFailed(el, err && err.message ? err.message : String(err));
    });
  }

  function readData(el) {
    var id = el.getAttribute('data-chart-data');
    var script = id && doc.getElementById(id);
    if (!script) { markFailed(el, 'no data block #' + id); return null; }
    try {
      var data = JSON.parse(script.textContent);
      if (data && typeof data === 'object') return data;
    } catch (err) { /* fall through */ }
    markFailed(el, 'invalid JSON in #' + id);
    return null;
  }

  function markFailed(el, why) {
    if (el.getAttribute('data-chart-error')) return;
    el.setAttribute('data-chart-error', why);
    if (window.console) console.warn('vientro chart:', why, el);
  }

  function showMessage(el, text) {
    el.textContent = '';
    var p = doc.createElement('p');
    p.className = 'chart-empty';
    p.textContent = text;
    el.appendChild(p);
  }

  function mount(el, option, onClick) {
    el.textContent = '';
    var chart = window.echarts.init(el, null, { renderer: 'svg', locale: 'EN' });
    chart.setOption(option);
    if (onClick) chart.on('click', onClick);
    el.__vtChart = chart;
    live.push({ el: el, chart: chart });
  }

  function disposeCharts(scope) {
    live = live.filter(function (c) {
      if (scope && scope !== doc && !scope.contains(c.el)) return true;
      c.chart.dispose();
      c.el.__vtChart = null;
      c.el.textContent = '';
      return false;
    });
  }

  // Drop charts whose element has left the document.
  function sweep() {
    live = live.filter(function (c) {
      if (c.el.isConnected) return true;
      c.chart.dispose();
      c.el.__vtChart = null;
      return false;
    });
    pending = pending.filter(function (el) { return el.isConnected; });
  }

  var resizeQueued = false;
  function resizeAll() {
    if (resizeQueued) return;
    resizeQueued = true;
    window.requestAnimationFrame(function () {
      resizeQueued = false;
      sweep();
      live.forEach(function (c) { if (c.el.clientWidth) c.chart.resize(); });
      pending.slice().forEach(renderOne);
    });
  }
  window.addEventListener('resize', resizeAll);
  // Printing: open the chart tables (<details>) and fit the charts to the page; undo afterwards.
  var openedForPrint = [];
  window.addEventListener('beforeprint', function () {
    openedForPrint = Array.prototype.filter.call(doc.querySelectorAll('.chart-box details:not([open])'), function (d) {
      d.open = true;
      return true;
    });
    live.forEach(function (c) { if (c.el.clientWidth) c.chart.resize(); });
  });
  window.addEventListener('afterprint', function () {
    openedForPrint.forEach(function (d) { d.open = false; });
    openedForPrint = [];
    resizeAll();
  });
  doc.addEventListener('toggle', resizeAll, true); // a chart inside a <details> that just opened

  function base(extra) {
    var o = {
      color: PALETTE,
      animation: !REDUCED_MOTION,
      animationDuration: 500,
      textStyle: { fontFamily: FONT, color: TEXT },
      tooltip: {
        confine: true,
        textStyle: { fontFamily: FONT, color: TEXT, fontSize: 13 },
        borderColor: '#cbd5e1',
        extraCssText: 'box-shadow:0 2px 8px rgba(15,23,42,.15);'
      }
    };
    for (var k in extra) if (Object.prototype.hasOwnProperty.call(extra, k)) o[k] = extra[k];
    return o;
  }

  function emptyOrNull(el, empty) {
    if (empty) { showMessage(el, T.noData); el.classList.add('chart-is-empty'); return true; }
    return false;
  }

  function barSeries(data) {
    var cats = Array.isArray(data.categories) ? data.categories.map(String) : [];
    var series = (Array.isArray(data.series) ? data.series : []).map(function (s, i) {
      var o = {
        type: 'bar',
        name: String(s.name == null ? '' : s.name),
        data: (Array.isArray(s.values) ? s.values : []).map(function (v) { return isNum(v) ? v : null; }),
        barMaxWidth: 36,
        barGap: '15%',
        emphasis: { focus: 'series' }
      };
      if (s.color) o.itemStyle = { color: String(s.color) };
      else o.itemStyle = { color: PALETTE[i % PALETTE.length] };
      return o;
    });
    return { cats: cats, series: series };
  }

  var BUILDERS = {
    bars: function (el, data) {
      var b = barSeries(data);
      if (emptyOrNull(el, !b.cats.length || !b.series.length)) return null;
      var unit = data.unit ? String(data.unit) : '';
      var legend = b.series.length > 1;
      return base({
        legend: { show: legend, type: 'scroll', top: 0, left: 'center', textStyle: { color: TEXT } },
        grid: { left: 8, right: 16, top: legend ? 44 : 28, bottom: 8 },
        tooltip: mergeTip({ trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: function (v) { return withUnit(v, unit); } }),
        xAxis: { type: 'category', data: b.cats, axisLabel: { hideOverlap: true, color: TEXT }, axisTick: { alignWithLabel: true } },
        yAxis: {
          type: 'value', name: unit, nameTextStyle: { color: '#4b5563', align: 'left' },
          axisLabel: { formatter: num, color: '#4b5563', hideOverlap: true },
          splitLine: { lineStyle: { color: '#e5e7eb' } }
        },
        series: b.series
      });
    },

    hbars: function (el, data) {
      var b = barSeries(data);
      if (emptyOrNull(el, !b.cats.length || !b.series.length)) return null;
      var unit = data.unit ? String(data.unit) : '';
      var legend = b.series.length > 1;
      // Long lists get a taller box so that every category keeps a readable row.
      var rowH = 14 + 12 * b.series.length;
      var need = b.cats.length * rowH + (legend ? 80 : 60);
      if (need > el.clientHeight) el.style.height = need + 'px';
      var labelW = Math.max(90, Math.min(260, Math.round(el.clientWidth * 0.34)));
      return base({
        legend: { show: legend, type: 'scroll', top: 0, left: 'center', textStyle: { color: TEXT } },
        grid: { left: 8, right: 24, top: legend ? 40 : 12, bottom: 8 },
        tooltip: mergeTip({ trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: function (v) { return withUnit(v, unit); } }),
        yAxis: {
          type: 'category', data: b.cats, inverse: true,
          axisLabel: { width: labelW, overflow: 'truncate', color: TEXT, interval: 0 },
          axisTick: { alignWithLabel: true }
        },
        xAxis: {
          type: 'value', name: unit, nameLocation: 'end', nameTextStyle: { color: '#4b5563' },
          axisLabel: { formatter: num, color: '#4b5563', hideOverlap: true },
          splitLine: { lineStyle: { color: '#e5e7eb' } }
        },
        series: b.series
      });
    },

    pie: function (el, data) {
      var unit = data.unit ? String(data.unit) : '';
      var items = (Array.isArray(data.items) ? data.items : []).filter(function (it) { return it && isNum(it.value); })
        .map(function (it) { return { name: String(it.name == null ? '' : it.name), value: it.value }; });
      if (emptyOrNull(el, !items.length)) return null;
      var many = items.length > 8 || el.clientWidth < 440;
      return base({
        tooltip: mergeTip({
          trigger: 'item',
          formatter: function (p) {
            return esc(p.name) + '<br><b>' + esc(withUnit(p.value, unit)) + '</b> (' + esc(pctFmt.format((p.percent || 0) / 100)) + ')';
          }
        }),
        // Up to 8 slices carry their own labels; more than that, or a narrow box, use a legend instead.
        legend: { show: many, type: 'scroll', orient: 'horizontal', bottom: 0, left: 'center', textStyle: { color: TEXT } },
        series: [{
          type: 'pie',
          radius: many ? ['36%', '64%'] : ['40%', '70%'],
          center: ['50%', many ? '45%' : '50%'],
          avoidLabelOverlap: true,
          minShowLabelAngle: 8,
          itemStyle: { borderColor: '#fff', borderWidth: 1 },
          label: {
            show: !many, color: TEXT, lineHeight: 16,
            formatter: function (p) { return clip(p.name, 24) + '\n' + pctFmt.format((p.percent || 0) / 100); }
          },
          labelLine: { show: !many },
          labelLayout: { hideOverlap: true },
          data: items
        }]
      });
    },

    map: function (el, data) {
      var mapName = String(data.map || 'provinces-34');
      if (!/^[a-z0-9_-]+$/.test(mapName)) throw new Error('bad map name ' + mapName);
      if (el.clientHeight < 420) el.style.height = '480px';
      el.classList.add('chart-loading');
      return loadMap(mapName).then(function (geo) {
        el.classList.remove('chart-loading');
        return mapOption(data, mapName, geo);
      }, function (err) {
        el.classList.remove('chart-loading');
        throw err;
      });
    }
  };

  function mergeTip(t) {
    var o = base({}).tooltip;
    for (var k in t) if (Object.prototype.hasOwnProperty.call(t, k)) o[k] = t[k];
    return o;
  }

  function loadMap(name) {
    if (!mapCache[name]) {
      mapCache[name] = window.fetch(ASSETS + 'geo/' + name + '.json', { credentials: 'same-origin' })
        .then(function (r) {
          if (!r.ok) throw new Error('map ' + name + ': HTTP ' + r.status);
          return r.json();
        })
        .then(function (json) {
          var names = {};
          (json.features || []).forEach(function (f) {
            if (f && f.properties) names[f.properties.code] = f.properties.name;
          });
          if (!window.echarts.getMap(name)) window.echarts.registerMap(name, { geoJSON: json });
          return { names: names };
        });
      mapCache[name].catch(function () { delete mapCache[name]; });
    }
    return mapCache[name];
  }

  function mapOption(data, mapName, geo) {
    var unit = data.unit ? String(data.unit) : '';
    var label = data.label ? String(data.label) : '';
    var link = typeof data.link === 'string' && data.link ? data.link : null;
    var highlight = data.highlight != null ? String(data.highlight) : null;
    var names = {};
    var max = 0;
    var items = [];
    var seen = {};
    (Array.isArray(data.values) ? data.values : []).forEach(function (v) {
      if (!v || v.code == null) return;
      var code = String(v.code);
      if (v.name) names[code] = String(v.name);
      if (!isNum(v.value)) return;
      if (v.value > max) max = v.value;
      seen[code] = true;
      items.push({ name: code, value: v.value });
    });
    if (highlight && !seen[highlight]) items.push({ name: highlight, value: NaN });
    items.forEach(function (it) {
      if (it.name === highlight) {
        it.itemStyle = { borderColor: '#b45309', borderWidth: 2.5 };
        it.z = 3;
      }
    });
    function provName(code) { return names[code] || geo.names[code] || code; }

    var onClick = link ? function (p) {
      if (p && p.componentType === 'series' && p.seriesType === 'map' && p.name && geo.names[p.name] !== undefined) {
        window.location.href = link.split('{code}').join(encodeURIComponent(p.name));
      }
    } : null;

    return {
      onClick: onClick,
      option: base({
        tooltip: mergeTip({
          trigger: 'item',
          formatter: function (p) {
            if (p.componentType !== 'series' || p.seriesType !== 'map') return '';
            var v = isNum(p.value) ? withUnit(p.value, unit) : T.noData;
            return '<b>' + esc(provName(p.name)) + '</b><br>' + (label ? esc(label) + ': ' : '') + esc(v);
          }
        }),
        visualMap: {
          type: 'continuous',
          seriesIndex: 0,
          min: 0,
          max: max > 0 ? max : 1,
          calculable: true,
          realtime: true,
          right: 8,
          top: 8,
          itemWidth: 12,
          itemHeight: 120,
          textStyle: { color: TEXT, fontSize: 11 },
          formatter: function (v) { return num(v); },
          inRange: { color: MAP_RANGE },
          outOfRange: { color: NO_DATA_GREY }
        },
        series: [{
          type: 'map',
          map: mapName,
          name: label,
          nameProperty: 'code',
          roam: true,
          scaleLimit: { min: 0.8, max: 40 },
          aspectScale: 0.95,
          top: 12,
          bottom: 30,
          left: 'center',
          selectedMode: false,
          cursor: link ? 'pointer' : 'default',
          label: { show: false },
          itemStyle: { areaColor: NO_DATA_GREY, borderColor: '#64748b', borderWidth: 0.5 },
          emphasis: {
            label: { show: false },
            itemStyle: { areaColor: '#f2c14e', borderColor: '#7c2d12', borderWidth: 1 }
          },
          data: items,
          markPoint: {
            silent: true,
            symbol: 'circle',
            symbolSize: 0,
            tooltip: { show: false },
            label: { show: true, position: 'bottom', distance: 2, color: '#4b5563', fontSize: 11, fontStyle: 'italic' },
            data: ISLANDS.map(function (i) { return { name: T[i.key], coord: i.coord, value: T[i.key], label: { formatter: T[i.key] } }; })
          }
        }]
      })
    };
  }

  // form[data-upload]: send the file with XMLHttpRequest so a <progress> inside the form shows how much has
  // travelled; the server answers with a redirect to the result page, which we then open. Without
  // JavaScript the form posts normally (the token is in the action's query string).
  doc.addEventListener('submit', function (e) {
    var form = e.target;
    if (e.defaultPrevented || !form || !form.hasAttribute || !form.hasAttribute('data-upload')) return;
    if (typeof window.XMLHttpRequest !== 'function' || typeof window.FormData !== 'function') return;
    e.preventDefault();
    var bar = form.querySelector('progress');
    var button = form.querySelector('button[type=submit]');
    if (bar) { bar.hidden = false; bar.removeAttribute('value'); }
    if (button) button.disabled = true;
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.getAttribute('action'));
    var token = doc.querySelector('meta[name="csrf-token"]');
    if (token) xhr.setRequestHeader('X-CSRF-Token', token.getAttribute('content'));
    xhr.upload.onprogress = function (ev) {
      if (bar && ev.lengthComputable) { bar.max = ev.total; bar.value = ev.loaded; }
    };
    xhr.upload.onload = function () { if (bar) bar.removeAttribute('value'); };
    xhr.onload = function () {
      if (xhr.status < 400 && xhr.responseURL) { window.location.assign(xhr.responseURL); return; }
      doc.open(); doc.write(xhr.responseText); doc.close();
    };
    xhr.onerror = function () { if (button) button.disabled = false; if (bar) bar.hidden = true; };
    xhr.send(new FormData(form));
  });

  // Initial render. app.js is deferred, so the DOM is parsed; wait for DOMContentLoaded anyway in
  // case the script is ever loaded differently.
  if (doc.readyState === 'loading') doc.addEventListener('DOMContentLoaded', function () { renderCharts(doc); });
  else renderCharts(doc);
})();
