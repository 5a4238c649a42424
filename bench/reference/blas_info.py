#!/usr/bin/python3
"""Which BLAS numpy and PyTorch really use in this process, and on which CPU.

Imports numpy (and PyTorch), does a tiny matrix product in each so that their BLAS is loaded
and initialised, then asks threadpoolctl (Debian: python3-threadpoolctl) what is loaded: for each
BLAS its 'internal_api' (openblas, blis, mkl, ...), 'filepath', 'version', 'num_threads' and, for
OpenBLAS, 'architecture' (the kernel core type it runs: Haswell, SkylakeX, Cooperlake, Zen, ...).
Without threadpoolctl it reads /proc/self/maps and asks OpenBLAS itself through ctypes.

threadpoolctl does not list the netlib *reference* BLAS, the slow one Debian's libblas3 installs
at /usr/lib/x86_64-linux-gnu/blas/libblas.so.3 and that libblas.so.3 resolves to unless
libopenblas0-pthread (bench/setup) takes the alternative over; this module finds it in
/proc/self/maps and reports kind "reference".

Debian's PyTorch is built with BLAS_INFO=generic (torch.__config__.show()) and calls whatever
libblas.so.3 is at run time, so its BLAS is the process's; the build settings are reported too.

As a script (always under /usr/bin/python3, Debian's, where numpy and torch live) it prints one
JSON object; --summary prints the one-line description instead. Imported (by bench/compare and
bench/time_to_98, under any Python) only the standard library is needed: probe() runs this file
in a subprocess with the environment a reference program will get.

Usage: bench/reference/blas_info.py [--modules numpy,torch] [--torch-threads N] [--summary]
"""
import argparse
import ctypes
import json
import os
import re
import subprocess
import sys

PYTHON = "/usr/bin/python3"
SYSTEM_LIBBLAS = "/usr/lib/x86_64-linux-gnu/libblas.so.3"
REFERENCE_DIRS = ("/usr/lib/x86_64-linux-gnu/blas/", "/usr/lib/x86_64-linux-gnu/lapack/")
# Set on some machines because older OpenBLAS builds crash or compute wrong on their CPUs;
# bench/compare and bench/time_to_98 remove them for the reference programs' runs only.
CORETYPE_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
ENV_SHOWN = CORETYPE_VARIABLES + ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                                  "OPENBLAS_VERBOSE", "LD_LIBRARY_PATH", "LD_PRELOAD")
# The largest relative error (to the largest entry) a product of 256-long dot products may have
# against the exact one (float32 rounding gives ~1e-6, float64 ~1e-15); a BLAS kernel that
# computes wrong is far above it.
TOLERANCE = {"f32": 1e-4, "f64": 1e-10}


# ---------------------------------------------------------------- CPU (standard library only)

def _amd_microarchitecture(family, model):
    if family == 23:
        return "Zen 2" if model >= 0x30 else "Zen / Zen+"
    if family == 25:  # Zen 4: Genoa 0x10-0x1f, Raphael/Phoenix 0x60-0x7f, Bergamo 0xa0-0xaf
        zen4 = 0x10 <= model <= 0x1f or 0x60 <= model <= 0x7f or 0xa0 <= model <= 0xaf
        return "Zen 4" if zen4 else "Zen 3"
    if family == 26:
        return "Zen 5"
    return None


def cpu_info():
    """Model name, vendor, family/model/stepping, core count and the vector flags that matter
    for the BLAS kernels, from /proc/cpuinfo (the first processor)."""
    fields = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if not line.strip():
                    break
                key, _, value = line.partition(":")
                fields[key.strip()] = value.strip()
    except OSError:
        pass
    flags = set(fields.get("flags", "").split())
    number = lambda k: int(fields[k]) if fields.get(k, "").isdigit() else None
    info = {"model_name": fields.get("model name"), "vendor": fields.get("vendor_id"),
            "family": number("cpu family"), "model": number("model"),
            "stepping": number("stepping"), "cpus": os.cpu_count(),
            "flags": {f: f in flags for f in ("avx2", "fma", "avx512f", "avx512_bf16",
                                                "avx512_vnni", "amx_tile")}}
    if info["vendor"] == "AuthenticAMD" and info["family"] is not None and info["model"] is not None:
        info["microarchitecture"] = _amd_microarchitecture(info["family"], info["model"])
    return info


def cpu_line(info=None):
    info = info or cpu_info()
    model = info["model"]
    arch = f", {info['microarchitecture']}" if info.get("microarchitecture") else ""
    flags = ", ".join(f"{k} {'yes' if info['flags'][k] else 'no'}"
                      for k in ("avx2", "avx512f", "avx512_bf16"))
    model_text = f"{model} (0x{model:02x})" if model is not None else "?"
    return (f"CPU: {info['model_name']} ({info['vendor']}, family {info['family']} model "
            f"{model_text} stepping {info['stepping']}{arch}), {info['cpus']} CPUs; {flags}")


# ---------------------------------------------------------------- what is loaded

def _classify(path):
    name = os.path.basename(path).lower()
    if "openblas" in path.lower():
        return "openblas"
    if any(path.startswith(d) for d in REFERENCE_DIRS):
        return "reference"
    if "blis" in name or "flame" in name:
        return "blis"
    if "mkl" in name:
        return "mkl"
    if "atlas" in name or "satlas" in name or "tatlas" in name:
        return "atlas"
    if "armpl" in name:
        return "armpl"
    return None


def mapped_libraries():
    """The BLAS/LAPACK-like shared objects this process has mapped (/proc/self/maps shows the
    files with their links resolved), each {"filepath", "kind"}."""
    seen = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                parts = line.split(None, 5)
                if len(parts) < 6:
                    continue
                path = parts[5].strip()
                if not path.startswith("/") or ".so" not in path:
                    continue
                base = os.path.basename(path).lower()
                if re.search(r"blas|lapack|blis|flame|mkl|atlas|armpl", base) and path not in seen:
                    seen.append(path)
    except OSError:
        pass
    return [{"filepath": p, "kind": _classify(p)} for p in seen]


def _openblas_by_ctypes(path):
    """What threadpoolctl would say about an OpenBLAS, asked directly."""
    record = {"user_api": "blas", "internal_api": "openblas", "filepath": path,
              "version": None, "threading_layer": None, "architecture": None,
              "num_threads": None, "source": "ctypes"}
    try:
        lib = ctypes.CDLL(path, mode=os.RTLD_NOLOAD | os.RTLD_GLOBAL)
    except OSError:
        return record
    def call(name, restype):
        function = getattr(lib, name, None)
        if function is None:
            return None
        function.restype = restype
        return function()
    config = call("openblas_get_config", ctypes.c_char_p)
    if config:
        config = config.decode(errors="replace")
        match = re.search(r"OpenBLAS\s+([\d.]+)", config)
        record["version"] = match.group(1) if match else None
    corename = call("openblas_get_corename", ctypes.c_char_p)
    record["architecture"] = corename.decode(errors="replace") if corename else None
    record["num_threads"] = call("openblas_get_num_threads", ctypes.c_int)
    parallel = call("openblas_get_parallel", ctypes.c_int)
    record["threading_layer"] = {0: "disabled", 1: "pthreads", 2: "openmp"}.get(parallel)
    return record


def _torch_build(torch):
    text = torch.__config__.show()
    build = {}
    for key in ("BLAS_INFO", "LAPACK_INFO", "USE_MKLDNN", "USE_OPENMP", "TORCH_VERSION"):
        match = re.search(key + r"=([^,\s]+)", text)
        if match:
            build[key] = match.group(1)
    match = re.search(r"CPU capability usage:\s*(\S+)", text)
    if match:
        build["cpu_capability"] = match.group(1)
    return build


def collect(modules=("numpy", "torch"), torch_threads=None):
    """Imports the modules, does a tiny product in each (float32, checked against float64) and
    reports what BLAS is loaded. Needs numpy; torch is optional (reported as missing)."""
    import numpy as np
    result = {"python": sys.executable, "modules": list(modules),
              "env": {k: os.environ[k] for k in ENV_SHOWN if k in os.environ},
              "system_libblas": os.path.realpath(SYSTEM_LIBBLAS)
              if os.path.exists(SYSTEM_LIBBLAS) else None,
              "numpy": {"version": np.__version__}}
    # A product in each precision, checked against long double (no BLAS): float32 is what
    # PyTorch computes in, float64 what network.py does.
    rng = np.random.default_rng(0)
    a = rng.standard_normal((256, 256))
    b = rng.standard_normal((256, 256))
    exact = a.astype(np.longdouble) @ b.astype(np.longdouble)
    scale = float(np.max(np.abs(exact)))
    error = lambda product: float(np.max(np.abs(product.astype(np.longdouble) - exact))) / scale
    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    checks = {"numpy_f32_rel_err": error(a32 @ b32), "numpy_f64_rel_err": error(a @ b)}
    if "torch" in modules:
        try:
            import torch
        except ImportError as error:
            result["torch"] = {"error": str(error)}
        else:
            if torch_threads:
                torch.set_num_threads(torch_threads)
            checks["torch_f32_rel_err"] = error((torch.from_numpy(a32) @ torch.from_numpy(b32)).numpy())
            result["torch"] = {"version": torch.__version__, "num_threads": torch.get_num_threads(),
                               "mkldnn": bool(torch.backends.mkldnn.is_available()),
                               "build": _torch_build(torch)}
    checks["ok"] = all(v <= TOLERANCE[k.split("_")[1]] for k, v in checks.items())
    result["check"] = checks

    try:
        import threadpoolctl
        pools = threadpoolctl.threadpool_info()
        result["threadpoolctl"] = threadpoolctl.__version__
    except ImportError:
        pools = None
        result["threadpoolctl"] = None
    mapped = mapped_libraries()
    result["mapped"] = mapped
    if pools is not None:
        blas = [dict(p, source="threadpoolctl") for p in pools if p.get("user_api") == "blas"]
        result["openmp"] = [p for p in pools if p.get("user_api") == "openmp"]
    else:
        blas = [_openblas_by_ctypes(m["filepath"]) for m in mapped
                if m["kind"] == "openblas" and "libopenblas" in os.path.basename(m["filepath"])]
    # threadpoolctl does not know the netlib reference BLAS: it is reported from the maps.
    for m in mapped:
        if m["kind"] == "reference" and "libblas" in os.path.basename(m["filepath"]):
            blas.insert(0, {"user_api": "blas", "internal_api": "reference",
                            "filepath": m["filepath"], "version": "netlib reference",
                            "num_threads": 1, "architecture": None, "source": "/proc/self/maps"})
    result["blas"] = blas
    if any(b["internal_api"] == "reference" for b in blas):
        result["kind"] = "reference"
    elif blas:
        result["kind"] = blas[0]["internal_api"]
    else:
        result["kind"] = "unknown"
    result["summary"] = summary(result)
    return result


def summary(info):
    """One line: which BLAS, version, core type, threads."""
    if "error" in info:
        return f"blas_info failed: {info['error']}"
    parts = []
    for b in info.get("blas", []):
        if b["internal_api"] == "reference":
            parts.append(f"NETLIB REFERENCE BLAS (slow, single-threaded) {b['filepath']}")
            continue
        text = f"{b['internal_api']} {b.get('version') or '?'}"
        if b.get("threading_layer"):
            text += f" ({b['threading_layer']})"
        if b["internal_api"] == "openblas":
            text += f", core {b.get('architecture') or '?'}"
        text += f", {b.get('num_threads')} BLAS thread{'s' if b.get('num_threads') != 1 else ''}"
        text += f", {b['filepath']}"
        parts.append(text)
    line = "; ".join(parts) or "no BLAS found loaded"
    torch = info.get("torch")
    if torch and "error" not in torch:
        build = torch.get("build", {})
        line += (f"; torch {torch['version']} (built BLAS_INFO={build.get('BLAS_INFO', '?')}, "
                 f"calls the BLAS above; {build.get('cpu_capability', '?')} kernels), "
                 f"{torch['num_threads']} intra-op thread{'s' if torch['num_threads'] != 1 else ''}")
    elif torch:
        line += f"; torch not importable ({torch['error']})"
    if not info.get("check", {}).get("ok", True):
        line += "; WRONG RESULTS (a matrix product beyond tolerance of the exact one)"
    return line


# ---------------------------------------------------------------- for bench/compare, bench/time_to_98

def probe(modules=("numpy", "torch"), env=None, torch_threads=None, python=PYTHON, timeout=300):
    """Runs this file under `python` with exactly the environment `env` (a full mapping; the
    caller's os.environ when None) and returns collect()'s dict, or {"error": ...}."""
    command = [python, os.path.abspath(__file__), "--modules", ",".join(modules)]
    if torch_threads:
        command += ["--torch-threads", str(torch_threads)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                              env=dict(os.environ) if env is None else env)
    except (OSError, subprocess.TimeoutExpired) as error:
        return {"error": str(error)}
    lines = [l for l in done.stdout.splitlines() if l.startswith("{")]
    if done.returncode != 0 or not lines:
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit status {done.returncode}: {tail}"}
    return json.loads(lines[-1])


def reference_env(base, keep_coretype=False, force_coretype=None):
    """The environment for a reference program's run: `base` without OPENBLAS_CORETYPE and
    OPENBLAS_L2_SIZE (unless keep_coretype), with OPENBLAS_CORETYPE=force_coretype if given.
    Returns (env, {removed variable: its value})."""
    env = dict(base)
    removed = {}
    if not keep_coretype:
        for k in CORETYPE_VARIABLES:
            if k in env:
                removed[k] = env.pop(k)
    if force_coretype:
        env["OPENBLAS_CORETYPE"] = force_coretype
    return env, removed


# The core types OpenBLAS falls back to on a CPU it does not know (0.3.21 on Intel family 6
# model 207, say, runs its SSE3 "Prescott" kernels on an AVX-512 machine).
FALLBACK_CORES = {"Prescott", "Core2", "Penryn", "Nehalem", "Katmai", "Banias", "Atom"}


def best_coretype(cpu=None):
    """The fastest OpenBLAS core type this CPU runs correctly, by its vector flags."""
    flags = (cpu or cpu_info())["flags"]
    if flags["avx512f"]:
        return "Cooperlake" if flags["avx512_bf16"] else "SkylakeX"
    if flags["avx2"] and flags["fma"]:
        return "Haswell"
    return None


def auto_coretype(env):
    """`env`, with OPENBLAS_CORETYPE set to best_coretype() when OpenBLAS's own detection falls
    back to an old core on this CPU (probed under `env`); and a line saying so, or None."""
    if "OPENBLAS_CORETYPE" in env:
        return env, None
    info = probe(("numpy",), env)
    cores = {b.get("architecture") for b in info.get("blas", []) if b["internal_api"] == "openblas"}
    best = best_coretype()
    if not best or not cores & FALLBACK_CORES:
        return env, None
    return (dict(env, OPENBLAS_CORETYPE=best),
            f"OpenBLAS does not know this CPU and picks {', '.join(sorted(cores))}, a core "
            f"without AVX: OPENBLAS_CORETYPE={best} forced for the reference programs, their best "
            f"here (setting OPENBLAS_CORETYPE yourself forces another)")


def add_arguments(parser):
    """The options bench/compare and bench/time_to_98 share."""
    parser.add_argument("--allow-reference-blas", action="store_true",
                        help="run even when numpy/PyTorch would use the slow netlib reference "
                             "BLAS (the ratios are then inflated; a warning is printed)")
    parser.add_argument("--keep-openblas-coretype", action="store_true",
                        help="keep OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE for the reference "
                             "programs (by default they are removed from their environment)")
    parser.add_argument("--openblas-coretype", metavar="NAME",
                        help="force OPENBLAS_CORETYPE=NAME (e.g. SkylakeX, Haswell, Zen) for the "
                             "reference programs; by default OpenBLAS detects the core itself")


def preflight(tool, programs, args, base=None):
    """Before a benchmark: prints the CPU, what happens to OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE
    and one line per reference program saying which BLAS it will run (probed under exactly the
    environment it will get), and exits non-zero when one would use the netlib reference BLAS
    (unless --allow-reference-blas), computes wrong, or cannot be inspected.

    programs: [(label, modules, extra environment, torch threads or None)].
    Returns the base environment for the reference programs' runs (os.environ less the removed
    variables, plus a forced core type)."""
    base = os.environ if base is None else base
    env, removed = reference_env(base, args.keep_openblas_coretype, args.openblas_coretype)
    print(cpu_line(), flush=True)
    if removed:
        shown = ", ".join(f"{k}={v}" for k, v in removed.items())
        print(f"{tool}: the environment sets {shown}: removed for the reference programs' runs "
              f"(not for digitnet); --keep-openblas-coretype keeps them", flush=True)
    elif args.keep_openblas_coretype:
        kept = ", ".join(f"{k}={base[k]}" for k in CORETYPE_VARIABLES if k in base) or "neither set"
        print(f"{tool}: OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE kept as the environment has them "
              f"({kept})", flush=True)
    if args.openblas_coretype:
        print(f"{tool}: OPENBLAS_CORETYPE={args.openblas_coretype} forced for the reference "
              f"programs (--openblas-coretype)", flush=True)
    elif not args.keep_openblas_coretype:
        env, note = auto_coretype(env)
        if note:
            print(f"{tool}: {note}", flush=True)
    probed = {}
    failures, reference, paths = [], [], set()
    for label, modules, extra, torch_threads in programs:
        program_env = dict(env, **(extra or {}))
        key = (tuple(modules), torch_threads, tuple(sorted(program_env.items())))
        if key not in probed:
            probed[key] = probe(modules, program_env, torch_threads)
        info = probed[key]
        cores = {b.get("architecture") for b in info.get("blas", []) if b["internal_api"] == "openblas"}
        how = ("forced" if args.openblas_coretype or "OPENBLAS_CORETYPE" in env else
               "as the environment sets it" if "OPENBLAS_CORETYPE" in program_env else
               "its own detection")
        core_note = f" [OpenBLAS core: {', '.join(sorted(c or '?' for c in cores))}, {how}]" if cores else ""
        print(f"BLAS for {label}: {summary(info)}{core_note}", flush=True)
        if "error" in info or not info.get("check", {}).get("ok", False):
            failures.append(label)
        elif info.get("kind") == "reference":
            reference.append(label)
            paths.update(b["filepath"] for b in info["blas"] if b["internal_api"] == "reference")
    if failures:
        sys.exit(f"{tool}: the BLAS of {', '.join(failures)} could not be inspected or computes "
                 f"wrong (see above): run bench/setup; for a wrong core type try "
                 f"--keep-openblas-coretype or --openblas-coretype NAME")
    if reference:
        if not args.allow_reference_blas:
            sys.exit(f"{tool}: refusing to time numpy/PyTorch on the slow netlib reference BLAS "
                     f"({', '.join(sorted(paths))}; {len(reference)} of the reference programs): "
                     f"run bench/setup (installs libopenblas0-pthread), or pass "
                     f"--allow-reference-blas")
        banner = "!" * 100
        warning = (f"WARNING: {', '.join(reference)} run with the netlib REFERENCE BLAS "
                   f"(--allow-reference-blas): the times are far slower than numpy/PyTorch as a "
                   f"user has them, and every ratio against them is inflated")
        print(f"{banner}\n{warning}\n{banner}", flush=True)
        print(warning, file=sys.stderr, flush=True)
    return env


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modules", default="numpy,torch",
                        help="comma-separated: numpy (always imported), torch")
    parser.add_argument("--torch-threads", type=int, default=0,
                        help="call torch.set_num_threads(N) first, as the reference programs do")
    parser.add_argument("--summary", action="store_true", help="print the one-line description")
    parser.add_argument("--pretty", action="store_true", help="indent the JSON")
    args = parser.parse_args()
    modules = tuple(m for m in args.modules.split(",") if m)
    info = collect(modules, args.torch_threads or None)
    info["cpu"] = cpu_info()
    if args.summary:
        print(cpu_line(info["cpu"]))
        print(info["summary"])
    else:
        print(json.dumps(info, indent=1 if args.pretty else None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
