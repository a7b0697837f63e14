"""The batch of school reports on a Dask cluster: same bytes, failures named, resumable.

One LocalCluster of two worker processes serves the module. Tests about the batch's
machinery (a worker killed, the manifest) render with a stand-in that writes a small
file; the byte-for-byte test renders the real leadership report.
"""

import datetime as dt
import os
import shutil
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cloudpickle
import pytest

from sendlib.cli import main
from sendlib.present.batch import (
    MANIFEST,
    SchedulerRefused,
    SchoolOutcome,
    open_executor,
    run_batch,
    scheduler_security,
)
from sendlib.present.trust import school_folders
from sendlib.synth import generate_trust

distributed = pytest.importorskip("distributed")

# Stand-in renders are defined here, so the workers are sent them by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

AS_OF = dt.date(2026, 3, 6)
SMALL = (120, 200)


@pytest.fixture(scope="module")
def trust_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("batch-trust")
    generate_trust(folder, schools=4, seed=7, pupils=SMALL)
    return folder


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=50,
            memory_limit="1GiB",
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.*"))}


def stand_in(folder: str, as_of: dt.date, out_dir: str) -> SchoolOutcome:
    """A render that only writes a small page: the batch's machinery without kernels."""
    path = Path(folder)
    html = Path(out_dir) / path.name / "leadership_report.html"
    html.parent.mkdir(parents=True, exist_ok=True)
    html.write_text(f"{path.name} as of {as_of}\n")
    with open(Path(out_dir) / "renders.log", "a") as log:
        log.write(f"{path.name} {os.getpid()}\n")
    return SchoolOutcome(path, path.name, html=html)


def dies_once(folder: str, as_of: dt.date, out_dir: str) -> SchoolOutcome:
    """The stand-in, but the first school kills its worker mid-render, once."""
    first = Path(out_dir) / "killed"
    if Path(folder).name.startswith("a-") and not first.exists():
        first.write_text(str(os.getpid()))
        time.sleep(0.2)
        os.kill(os.getpid(), signal.SIGKILL)
    return stand_in(folder, as_of, out_dir)


def renders(out: Path) -> list[str]:
    log = out / "renders.log"
    return sorted(line.split()[0] for line in log.read_text().splitlines()) if log.exists() else []


# ------------------------------------------------------------------ where it may run


@pytest.mark.parametrize(
    "address", ["tcp://10.0.0.5:8786", "10.0.0.5:8786", "tcp://scheduler.example.org:8786"]
)
def test_plain_tcp_to_another_machine_is_refused(address, trust_dir, tmp_path, capsys):
    code = main(["report", "--all", str(trust_dir), "--out", str(tmp_path), "--scheduler", address])
    assert code == 2
    err = capsys.readouterr().err
    assert "unencrypted" in err and "tls://" in err
    assert not any(tmp_path.iterdir())  # refused before anything ran


def test_tls_needs_certificates_and_loopback_tcp_is_allowed(tmp_path):
    with pytest.raises(SchedulerRefused, match="missing: ca_file, cert, key"):
        scheduler_security("tls://scheduler.example.org:8786")
    with pytest.raises(SchedulerRefused, match="cannot read"):
        scheduler_security(
            "tls://scheduler.example.org:8786",
            {k: tmp_path / "absent.pem" for k in ("ca_file", "cert", "key")},
        )
    assert scheduler_security("tcp://127.0.0.1:8786") is None
    assert scheduler_security("tcp://localhost:8786") is None


# ------------------------------------------------------------------ the batch on Dask


@pytest.mark.notebook
def test_dask_batch_matches_the_process_pool_byte_for_byte(trust_dir, client, tmp_path):
    good, damaged = school_folders(trust_dir)[:2]
    broken = tmp_path / "broken"
    shutil.copytree(damaged, broken)
    (broken / "pupils.csv").write_text("pupil_id,year_group\nP1,R\n")
    folders = [good, broken]

    with open_executor(None, 1) as pool:
        pooled = run_batch(folders, AS_OF, tmp_path / "pool", pool)
    dasked = run_batch(folders, AS_OF, tmp_path / "dask", client.get_executor())

    assert files_of(tmp_path / "pool") == files_of(tmp_path / "dask")
    assert (tmp_path / "dask" / good.name / "leadership_report.html").stat().st_size > 10_000
    for outcomes in (pooled, dasked):
        assert [o.html is not None for o in outcomes] == [False, True]  # broken < good
        assert outcomes[0].folder.name == "broken" and "pupils.csv" in outcomes[0].reason()
    manifest = (tmp_path / "dask" / MANIFEST).read_text()
    assert good.name in manifest and "broken" not in manifest
    assert str(tmp_path) not in manifest


def test_a_worker_killed_mid_run_leaves_the_batch_to_the_other(trust_dir, client, tmp_path):
    folders = []
    for i, folder in enumerate(school_folders(trust_dir)):
        copy = tmp_path / "in" / f"{'ab'[i > 0]}-{folder.name}"
        shutil.copytree(folder, copy)
        folders.append(copy)
    out = tmp_path / "out"
    out.mkdir()

    outcomes = run_batch(folders, AS_OF, out, client.get_executor(), render=dies_once)

    assert (out / "killed").exists()
    assert all(o.html is not None for o in outcomes) and len(outcomes) == 4
    assert renders(out) == sorted(f.name for f in folders)
    killed = int((out / "killed").read_text())
    first = next(line for line in (out / "renders.log").read_text().splitlines() if "a-" in line)
    assert int(first.split()[1]) != killed


# ------------------------------------------------------------------ resuming


def test_a_resumed_run_renders_only_what_changed(trust_dir, tmp_path):
    folders = [shutil.copytree(f, tmp_path / "in" / f.name) for f in school_folders(trust_dir)]
    out = tmp_path / "out"
    out.mkdir()

    def run(as_of=AS_OF, resume=True):
        (out / "renders.log").unlink(missing_ok=True)
        with ThreadPoolExecutor(2) as pool:
            outcomes = run_batch(folders, as_of, out, pool, render=stand_in, resume=resume)
        assert all(o.html is not None for o in outcomes)
        return renders(out), [o.kept for o in outcomes]

    everything = sorted(f.name for f in folders)
    assert run() == (everything, [False] * 4)
    manifest = (out / MANIFEST).read_bytes()
    assert run() == ([], [True] * 4)
    assert (out / MANIFEST).read_bytes() == manifest  # nothing moved, not even the manifest

    staff = folders[2] / "staff.csv"
    staff.write_text(staff.read_text() + "\n")  # new bytes, same meaning: still re-rendered
    assert run()[0] == [folders[2].name]
    (out / folders[1].name / "leadership_report.html").unlink()
    assert run()[0] == [folders[1].name]
    assert run(as_of=AS_OF + dt.timedelta(days=1))[0] == everything
    assert run(resume=False)[0] == everything

    (out / MANIFEST).write_text("{not json")
    assert run()[0] == everything
