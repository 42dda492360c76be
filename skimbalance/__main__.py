"""Command line: ``skimbalance study [options]`` (also ``python -m skimbalance``)."""

import argparse
import sys


def _floats(text):
    return [float(v) for v in text.split(",") if v]


def build_parser():
    parser = argparse.ArgumentParser(prog="skimbalance")
    commands = parser.add_subparsers(dest="command", required=True)
    study = commands.add_parser(
        "study",
        help="reproduce Buda et al. (2018): results.csv, report.md, plots",
        description="Run the paper's protocol over a grid of imbalance settings.",
    )
    study.add_argument("--dataset", default="digits", help="digits (default) or mnist")
    study.add_argument("--imbalance", default="step", help="step (default) or linear")
    study.add_argument(
        "--rho", type=_floats, default=[2, 10, 50], help="e.g. 10,100,1000"
    )
    study.add_argument(
        "--mu", type=_floats, default=[0.2, 0.5, 0.8], help="e.g. 0.2,0.5"
    )
    study.add_argument(
        "--methods", default="paper", help="paper (default), all, or a comma list"
    )
    study.add_argument("--repeats", type=int, default=1)
    study.add_argument("--max-iter", type=int, default=300, help="weight updates")
    study.add_argument("--seed", type=int, default=0)
    study.add_argument("--out", default="skimbalance-study", help="output folder")
    study.add_argument(
        "--n-jobs",
        type=int,
        default=1,
        help="configurations run in parallel on this machine (joblib)",
    )
    study.add_argument(
        "--scheduler",
        default=None,
        help="Dask scheduler tcp://HOST:PORT: run on every worker thread of that"
        " cluster (then --n-jobs is not used)",
    )
    study.add_argument("--device", default="cpu", help="cpu (default), cuda or auto")
    study.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    from .study import run_study

    methods = (
        args.methods if args.methods in ("paper", "all") else args.methods.split(",")
    )
    try:
        results = run_study(
            dataset=args.dataset, imbalance=args.imbalance, rhos=args.rho, mus=args.mu,
            methods=methods, repeats=args.repeats, max_iter=args.max_iter,
            seed=args.seed, out=args.out, n_jobs=args.n_jobs,
            scheduler=args.scheduler, device=args.device, quiet=args.quiet,
        )  # fmt: skip
    except ValueError as exc:
        print(f"skimbalance study: error: {exc}", file=sys.stderr)
        return 2
    print(f"{len(results)} result rows in {args.out}/results.csv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
