"""Run files that open in the field's tools: CSV (spreadsheets, QGIS "delimited text") and
Parquet (pandas, DuckDB, GeoPandas, Arrow) with named columns in stated units.

:func:`tables` turns a simulation (and, if given, a chain's assessments) into Arrow tables:

* ``detections`` -- one row per detection: ``time_utc``, ``t_s``, sensor and kind, the
  measurement as ``range_m, azimuth_deg, elevation_deg, range_rate_m_s`` (IR: angles only; a
  quantity a sensor does not measure is empty) with their 1-sigma noise columns, the sensor's
  ``sensor_lat_deg, sensor_lon_deg, sensor_alt_m`` and the truth (``truth_missile``, -1 for a
  false alarm; truth is kept to the right, for scoring only);
* ``tracks`` -- one row per track estimate: ``lat_deg, lon_deg, alt_m`` (WGS84 geodetic),
  ``east_m_s, north_m_s, up_m_s`` and ``speed_m_s``, the 1-sigma position
  ``position_sigma_m`` (root of the mean of the position variances), the ballistic
  coefficient ``beta_kg_m2``, the motion-model probabilities ``p_<model>`` and ``confirmed``;
  ECEF ``x_m .. vz_m_s`` too, for exact reuse;
* ``truth`` -- the true flights, same position and velocity columns, and ``burning``;
* ``assessments`` (chain runs) -- one row per track per assessment: predicted impact point
  and time, 50/95 % ellipse semi-axes (m) and orientation (deg from north), verdict, range
  class and probability, predicted apogee.

Times: ``t_s`` seconds after the scenario epoch, ``time_utc`` ISO 8601 (UTC, ms).
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import numpy as np

from ..earth import frames
from ..track.models import DEFAULT_MODELS

__all__ = ["tables", "write_tables"]


def _time_utc(epoch, t_s: np.ndarray) -> np.ndarray:
    base = np.datetime64(epoch.astimezone(UTC).replace(tzinfo=None), "ms")
    return base + np.round(np.asarray(t_s) * 1000.0).astype("timedelta64[ms]")


def _geodetic(xyz: np.ndarray) -> dict[str, np.ndarray]:
    """WGS84 latitude/longitude (deg) and height (m) of ECEF positions ``(N, 3)``."""
    lat, lon, h = frames.ecef_to_geodetic(xyz)
    return {"lat_deg": np.degrees(lat), "lon_deg": np.degrees(lon), "alt_m": h}


def _motion(state: np.ndarray) -> dict[str, np.ndarray]:
    """Geodetic position and local east/north/up velocity of ECEF states ``(N, 6)``."""
    out = _geodetic(state[:, :3])
    enu = np.einsum(
        "nij,nj->ni",
        frames.enu_matrix(np.radians(out["lat_deg"]), np.radians(out["lon_deg"])),
        state[:, 3:6],
    )
    out.update(
        east_m_s=enu[:, 0],
        north_m_s=enu[:, 1],
        up_m_s=enu[:, 2],
        speed_m_s=np.linalg.norm(state[:, 3:6], axis=1),
    )
    for j, name in enumerate(("x_m", "y_m", "z_m", "vx_m_s", "vy_m_s", "vz_m_s")):
        out[name] = state[:, j]
    return out


def _nan_to_null(col: np.ndarray):
    import pyarrow as pa

    col = np.asarray(col)
    if col.dtype.kind == "M":
        return pa.array(col, type=pa.timestamp("ms", tz="UTC"))
    if col.dtype.kind == "f":
        return pa.array(col, mask=np.isnan(col))
    return pa.array(col)


def _table(cols: dict[str, np.ndarray]):
    import pyarrow as pa

    return pa.table({k: _nan_to_null(v) for k, v in cols.items()})


def detections_table(sim):
    det, epoch = sim.detections, sim.scenario.epoch
    z, sig = det["z"], det["sigma"]
    radar = det["kind"] == "radar"
    ir = ~radar
    nan = np.full(det.size, np.nan)
    az = np.where(radar, z[:, 1], z[:, 0])
    el = np.where(radar, z[:, 2], z[:, 1])
    s_az = np.where(radar, sig[:, 1], sig[:, 0])
    s_el = np.where(radar, sig[:, 2], sig[:, 1])
    sensor = (
        _geodetic(det["sensor_ecef_m"])
        if det.size
        else {"lat_deg": nan, "lon_deg": nan, "alt_m": nan}
    )
    return _table(
        {
            "time_utc": _time_utc(epoch, det["t_s"]),
            "t_s": det["t_s"],
            "det_id": det["det_id"],
            "sensor": det["sensor"].astype(str),
            "kind": det["kind"].astype(str),
            "range_m": np.where(ir, nan, z[:, 0]),
            "azimuth_deg": np.degrees(az),
            "elevation_deg": np.degrees(el),
            "range_rate_m_s": np.where(ir, nan, z[:, 3]),
            "sigma_range_m": np.where(ir, nan, sig[:, 0]),
            "sigma_azimuth_deg": np.degrees(s_az),
            "sigma_elevation_deg": np.degrees(s_el),
            "sigma_range_rate_m_s": np.where(ir, nan, sig[:, 3]),
            "sensor_lat_deg": sensor["lat_deg"],
            "sensor_lon_deg": sensor["lon_deg"],
            "sensor_alt_m": sensor["alt_m"],
            "truth_missile": sim.truth_ids["missile"],
        }
    )


def tracks_table(sim):
    h, epoch = sim.tracker.history, sim.scenario.epoch
    cov = h["cov"]
    pos_var = np.einsum("nii->ni", cov[:, :3, :3]) if cov.ndim == 3 else cov[:, :3]
    cols = {
        "time_utc": _time_utc(epoch, h["t_s"]),
        "t_s": h["t_s"],
        "track_id": h["track_id"],
        "det_id": h["det_id"],
        **_motion(h["state"].reshape(-1, 6)),
        "position_sigma_m": np.sqrt(pos_var.mean(axis=1)),
        "beta_kg_m2": np.exp(h["log_beta"]),
        "log_beta_sigma": h["log_beta_sigma"],
    }
    mu = h["mu"]
    names = (
        [m.name for m in DEFAULT_MODELS]
        if mu.shape[1] == len(DEFAULT_MODELS)
        else [str(j) for j in range(mu.shape[1])]
    )
    for j, name in enumerate(names):
        cols[f"p_{name}"] = mu[:, j]
    cols["confirmed"] = h["confirmed"]
    return _table(cols)


def truth_table(sim):
    t, epoch = sim.truth, sim.scenario.epoch
    m, n_t = t.states_ecef.shape[:2]
    states = t.states_ecef.reshape(-1, 6)
    ok = ~np.isnan(states[:, 0])
    times = np.tile(t.times_s, m)[ok]
    return _table(
        {
            "time_utc": _time_utc(epoch, times),
            "t_s": times,
            "missile": np.repeat(np.array(t.names, dtype=str), n_t)[ok],
            **_motion(states[ok]),
            "burning": t.burning.ravel()[ok],
        }
    )


def assessments_table(run, epoch):
    a_list = run.assessments
    if not a_list:
        return None
    rows = {
        key: []
        for key in (
            "t_s",
            "track_id",
            "impact_lat_deg",
            "impact_lon_deg",
            "impact_t_s",
            "impact_t_sigma_s",
            "ellipse_50_semi_major_m",
            "ellipse_50_semi_minor_m",
            "ellipse_95_semi_major_m",
            "ellipse_95_semi_minor_m",
            "ellipse_orientation_deg",
            "verdict_kind",
            "verdict_country",
            "range_class",
            "range_class_prob",
            "predicted_apogee_m",
            "impact_fraction",
        )
    }
    for a in a_list:
        n = len(a.track_id)
        rows["t_s"].append(np.full(n, a.t_s))
        rows["track_id"].append(a.track_id)
        rows["impact_lat_deg"].append(a.impact_lat_deg)
        rows["impact_lon_deg"].append(a.impact_lon_deg)
        rows["impact_t_s"].append(a.impact_t_s)
        rows["impact_t_sigma_s"].append(a.impact_t_sigma_s)
        rows["ellipse_50_semi_major_m"].append(a.ellipse_semi_major_m[:, 0])
        rows["ellipse_50_semi_minor_m"].append(a.ellipse_semi_minor_m[:, 0])
        rows["ellipse_95_semi_major_m"].append(a.ellipse_semi_major_m[:, 1])
        rows["ellipse_95_semi_minor_m"].append(a.ellipse_semi_minor_m[:, 1])
        rows["ellipse_orientation_deg"].append(a.ellipse_orientation_deg)
        rows["verdict_kind"].append(np.asarray(a.verdict_kind, dtype=str))
        rows["verdict_country"].append(np.asarray(a.verdict_country, dtype=str))
        rows["range_class"].append(
            np.asarray(a.range_class, dtype=str)
            if len(a.range_class)
            else np.full(n, "", dtype=str)
        )
        rows["range_class_prob"].append(_or_nan(a.range_class_prob, n))
        rows["predicted_apogee_m"].append(_or_nan(a.apogee_m, n))
        rows["impact_fraction"].append(_or_nan(a.impact_fraction, n))
    cols = {key: np.concatenate(v) for key, v in rows.items()}
    return _table({"time_utc": _time_utc(epoch, cols["t_s"]), **cols})


def _or_nan(x: np.ndarray, n: int) -> np.ndarray:
    x = np.asarray(x, dtype=float)
    return x if x.shape == (n,) else np.full(n, np.nan)


def tables(sim, run=None) -> dict:
    """Name -> Arrow table (see module docstring); ``run``: a chain's AssessmentRun."""
    out = {
        "detections": detections_table(sim),
        "tracks": tracks_table(sim),
        "truth": truth_table(sim),
    }
    if run is not None:
        a = assessments_table(run, sim.scenario.epoch)
        if a is not None:
            out["assessments"] = a
    return out


def write_tables(named: dict, out_dir: str | Path) -> list[Path]:
    """Write each table as ``NAME.csv`` and ``NAME.parquet`` into ``out_dir``."""
    import pyarrow.csv as pcsv
    import pyarrow.parquet as pq

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in named.items():
        p = out / f"{name}.csv"
        pcsv.write_csv(table, p, pcsv.WriteOptions(quoting_style="needed"))
        q = out / f"{name}.parquet"
        pq.write_table(table, q)
        paths += [p, q]
    return paths
