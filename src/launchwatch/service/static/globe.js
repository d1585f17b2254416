/* 3-D view of one recorded event (/static/globe.html?event=ID): each report's reconstructed
   trajectory from /api/events/ID/czml (altitude as flown: lofted shots stand up from the globe)
   on CesiumJS with its bundled Natural Earth II imagery. Nothing is requested from elsewhere:
   no Cesium ion token, no Bing imagery, no online terrain. Text from the record is set as text,
   never as HTML (the info box, which renders descriptions as HTML, is off). */
"use strict";

(async () => {
  const state = document.getElementById("globe-state");
  const done = (text, key) => {
    state.textContent = text;
    document.body.dataset[key] = text;
  };
  const id = Number(new URLSearchParams(window.location.search).get("event"));
  if (!Number.isInteger(id) || id < 1) {
    done("no event given: open it from an event of the dashboard (globe.html?event=ID)", "error");
    return;
  }
  try {
    Cesium.Ion.defaultAccessToken = "";
    const imagery = Cesium.ImageryLayer.fromProviderAsync(
      Cesium.TileMapServiceImageryProvider.fromUrl(Cesium.buildModuleUrl("Assets/Textures/NaturalEarthII")));
    const viewer = new Cesium.Viewer("globe", {
      baseLayer: imagery, baseLayerPicker: false, geocoder: false, homeButton: true, sceneModePicker: true,
      navigationHelpButton: false, animation: true, timeline: true, fullscreenButton: false,
      infoBox: false, selectionIndicator: false, skyBox: false, skyAtmosphere: false,
    });
    const [evr, czml] = await Promise.all([fetch(`/api/events/${id}`), fetch(`/api/events/${id}/czml`)]);
    if (!evr.ok || !czml.ok) {
      done(`event ${id}: ${evr.ok ? czml.status : evr.status} from the service`, "error");
      return;
    }
    const ev = await evr.json();
    const ds = await Cesium.CzmlDataSource.load(await czml.json());
    await viewer.dataSources.add(ds);
    // the whole flights drawn (the clock at their end); the timeline replays them
    viewer.clock.currentTime = viewer.clock.stopTime.clone();
    viewer.clock.shouldAnimate = false;
    const flights = ds.entities.values.filter((e) => e.path !== undefined);
    document.getElementById("globe-title").textContent =
      `${ev.launch_date} ${ev.site_name || "site unknown"} — ${ev.missile_name || ev.missile_class || "missile unknown"}`;
    const legend = document.getElementById("globe-legend");
    for (const e of flights) {
      const li = document.createElement("li");
      li.textContent = e.name;
      legend.append(li);
    }
    // frame the whole flights, apogees included (a path's own bounds are where it is now)
    const pts = [];
    for (const e of flights) {
      const a = e.availability && e.availability.get(0);
      if (!a) continue;
      const span = Cesium.JulianDate.secondsDifference(a.stop, a.start);
      for (let k = 0; k <= 40; k += 1) {
        const t = Cesium.JulianDate.addSeconds(a.start, (span * k) / 40, new Cesium.JulianDate());
        const p = e.position.getValue(t);
        if (p) pts.push(p);
      }
    }
    if (pts.length) {  // seen from the south, a little from above: eastward shots broadside
      const s = Cesium.BoundingSphere.fromPoints(pts);
      viewer.camera.flyToBoundingSphere(s, {
        offset: new Cesium.HeadingPitchRange(0, Cesium.Math.toRadians(-15), s.radius * 5), duration: 0 });
    } else {
      await viewer.zoomTo(ds);
    }
    const n = flights.length;
    done(n ? `${n} reconstructed ${n === 1 ? "trajectory" : "trajectories"}` : "no reconstructed trajectory", "ready");
  } catch (err) {
    done(`3-D view failed: ${err}`, "error");
  }
})();
