"""Command line: ``skimbalance study [options]`` (also ``python -m skimbalance``).

Exit codes: 0 done; 2 bad arguments, an unusable ``--out``, or a folder in use
or of another study; 1 a file or network error (a missing dataset offline, a
full disk); 130 interrupted (Ctrl-C or SIGTERM; rerun the same command to
resume). Every error is one line on stderr; the study's warnings follow the
results line, one per line.
"""

import argparse
import sys
import warnings

#: ``--quick``: a first answer on a few thousand images in about ten minutes
#: on 2 CPU cores; every option given on the command line still wins.
QUICK = {
    "methods": "baseline,ros,rus,thresholding",
    "max_iter": 600,
    "image_size": 32,
    "folds": 3,
    "repeats": 2,
    "curves": False,
}
#: The defaults of the options that ``--quick`` changes.
DEFAULTS = {
    "methods": "paper",
    "max_iter": 300,
    "image_size": None,
    "folds": 3,
    "repeats": None,
    "curves": True,
}


def _floats(text):
    values = []
    for part in text.split(","):
        part = part.strip()
        if part:
            try:
                values.append(float(part))
            except ValueError:
                raise argparse.ArgumentTypeError(
                    f"{part!r} is not a number (expected e.g. 10,100,1000)"
                ) from None
    return values


class _DefaultsHelpFormatter(argparse.HelpFormatter):
    """Show each default as it is typed (``2,10,50``); none when the help says it."""

    def _get_help_string(self, action):
        text = action.help or ""
        default = action.default
        if (
            "(default" in text
            or any(default is v for v in (None, False, argparse.SUPPRESS))
            or action.nargs == 0
        ):
            return text
        if isinstance(default, (list, tuple)):
            default = ",".join(f"{value:g}" for value in default)
        return f"{text} (default: {default})".lstrip()


def build_parser():
    from . import __version__
    from .study import ADDED_METHODS, LR_GRID, PAPER_DATASETS, PAPER_METHODS

    parser = argparse.ArgumentParser(prog="skimbalance")
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    study = commands.add_parser(
        "study",
        help="compare the imbalance methods of Buda et al. (2018): results.csv, "
        "report.md, figures",
        description="Run the paper's protocol over a grid of imbalance settings, or "
        "compare the methods on your own data as it is (--imbalance natural). "
        "Rerunning a command resumes it; adding methods or repeats adds rows.",
        formatter_class=_DefaultsHelpFormatter,
    )
    study.add_argument(
        "--dataset",
        default="digits",
        help=f"one of {', '.join(PAPER_DATASETS)}, or a path: a folder of images per "
        "class, or an .npz holding X and y",
    )
    study.add_argument(
        "--imbalance",
        default="step",
        choices=("step", "linear", "natural"),
        help="the paper's step or linear imbalance, or the data as it is",
    )
    study.add_argument(
        "--rho",
        type=_floats,
        default=[2, 10, 50],
        help="imbalance ratios, comma separated (>= 1)",
    )
    study.add_argument(
        "--mu",
        type=_floats,
        default=[0.2, 0.5, 0.8],
        help="fractions of minority classes (step imbalance)",
    )
    study.add_argument(
        "--methods",
        default=None,
        help=f"'paper' ({', '.join(PAPER_METHODS)}), 'all' (adds "
        f"{', '.join(ADDED_METHODS)}), or a comma list of those and "
        f"ros_ratio_<r> / rus_ratio_<r> (default: paper; --quick: "
        f"{QUICK['methods']})",
    )
    study.add_argument(
        "--repeats",
        type=int,
        default=None,
        help="repeats of each configuration (each its own draw and seed), or of "
        "the cross-validation of your data; verdicts pair methods over repeats x "
        "folds (default: 3; 2 for cross-validation)",
    )
    study.add_argument(
        "--folds",
        type=int,
        default=None,
        help="cross-validation folds for your data without --test (default: 3)",
    )
    study.add_argument(
        "--test",
        default=None,
        help="your own test folder or .npz, instead of cross-validation "
        "(default: cross-validation)",
    )
    study.add_argument(
        "--net",
        default=None,
        help="lenet5, allcnn, resnet10 or a torchvision.models name (default: "
        "allcnn for cifar10, else lenet5)",
    )
    study.add_argument(
        "--max-iter",
        type=int,
        default=None,
        help=f"weight updates per model (default: 300; --quick: {QUICK['max_iter']})",
    )
    study.add_argument(
        "--lr-search",
        default="none",
        choices=("none", "test", "validation"),
        help=f"try the base learning rates {', '.join(map(str, LR_GRID))} and keep "
        "the best on the test set (the paper) or on a held-out tenth of training",
    )
    study.add_argument(
        "--n-per-class",
        type=int,
        default=None,
        help="examples per class before imbalance (default: 5000 for mnist and "
        "cifar10, else the smallest class's count)",
    )
    study.add_argument(
        "--image-size",
        type=int,
        default=None,
        help="resize the images of your folder to this size (default: as they "
        f"are; --quick: {QUICK['image_size']})",
    )
    study.add_argument(
        "--mode",
        default="auto",
        choices=("auto", "L", "RGB"),
        help="read your images as grey-scale (L) or colour (RGB); auto: grey-scale "
        "when every file is",
    )
    study.add_argument(
        "--resize",
        default="squash",
        choices=("squash", "pad", "crop"),
        help="how images of another aspect ratio reach --image-size: stretched, "
        "padded with black, or cut at the centre",
    )
    study.add_argument(
        "--memory-budget",
        type=float,
        default=None,
        help="GiB your decoded images may take: within it they are decoded once "
        "per study; beyond it, at every batch (default: a quarter of the memory)",
    )
    study.add_argument(
        "--cache",
        default=None,
        help="a folder to keep your decoded images in, as a memory map: decoded "
        "once, reused by later studies, any size (default: decode into memory)",
    )
    study.add_argument(
        "--no-curves",
        dest="curves",
        action="store_const",
        const=False,
        default=None,
        help="do not record learning curves (Figure 8, conclusion 5; ten "
        "evaluations of the training and test sets per model)",
    )
    study.add_argument(
        "--quick",
        action="store_true",
        help="a first answer in about ten minutes on 2 CPU cores for a few "
        f"thousand images: --methods {QUICK['methods']} --max-iter "
        f"{QUICK['max_iter']} --image-size {QUICK['image_size']} --folds "
        f"{QUICK['folds']} --repeats {QUICK['repeats']} --no-curves (options you "
        "give win)",
    )
    study.add_argument(
        "--alpha",
        type=float,
        default=0.05,
        help="family-wise error rate of the report's comparisons (Holm)",
    )
    study.add_argument(
        "--min-effect",
        type=float,
        default=0.005,
        help="the smallest difference called better or worse (0.005: half a point)",
    )
    study.add_argument(
        "--seed", type=int, default=0, help="seed of every split, sample and network"
    )
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
        help="Dask scheduler tcp://HOST:PORT: run on every worker thread of that "
        "cluster (then --n-jobs is not used) (default: this machine)",
    )
    study.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    study.add_argument(
        "--precision",
        default="32",
        choices=("32", "bf16", "16"),
        help="the networks' arithmetic (mixed precision on a GPU)",
    )
    study.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def _resolve(args):
    """Fill the options ``--quick`` changes: given > preset > default."""
    preset = QUICK if args.quick else {}
    for name, default in DEFAULTS.items():
        if getattr(args, name) is None:
            setattr(args, name, preset.get(name, default))
    methods = args.methods
    if methods not in ("paper", "all"):
        methods = [m.strip() for m in methods.split(",") if m.strip()]
    budget = args.memory_budget
    if budget is not None:
        if not budget >= 0:
            raise ValueError(f"--memory-budget must be >= 0 GiB; got {budget:g}.")
        budget = int(budget * 2**30)
    return methods, budget


def main(argv=None):
    from .study._run import _sigterm_as_interrupt

    with _sigterm_as_interrupt():  # SIGTERM is Ctrl-C from the first step
        return _main(argv)


def _main(argv):
    args = build_parser().parse_args(argv)
    from .study import run_study
    from .study._run import StudyWarning

    try:
        methods, budget = _resolve(args)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", StudyWarning)
            results = run_study(
                dataset=args.dataset,
                imbalance=args.imbalance,
                rhos=args.rho,
                mus=args.mu,
                methods=methods,
                repeats=args.repeats,
                max_iter=args.max_iter,
                seed=args.seed,
                out=args.out,
                net=args.net,
                lr_search=args.lr_search,
                folds=args.folds,
                test=args.test,
                n_per_class=args.n_per_class,
                image_size=args.image_size,
                mode=args.mode,
                resize=args.resize,
                memory_budget=budget,
                cache=args.cache,
                curves=args.curves,
                n_jobs=args.n_jobs,
                scheduler=args.scheduler,
                device=args.device,
                precision=args.precision,
                alpha=args.alpha,
                min_effect=args.min_effect,
                quiet=args.quiet,
            )
    except ValueError as exc:
        print(f"skimbalance study: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        message = " ".join(str(exc).split())  # one line, whatever the OS said
        print(
            f"skimbalance study: error: {type(exc).__name__}: {message}",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print(
            "skimbalance study: interrupted; every finished model is in "
            f"{args.out}/results.csv and the model in training was not recorded. "
            "Rerun the same command to resume (and to write the report).",
            file=sys.stderr,
        )
        return 130
    print(f"{len(results)} result rows in {args.out}/results.csv")
    for warning in caught:
        if issubclass(warning.category, StudyWarning):
            print(f"skimbalance study: warning: {warning.message}", file=sys.stderr)
        else:
            print(
                warnings.formatwarning(
                    warning.message, warning.category, warning.filename,
                    warning.lineno,
                ),
                end="", file=sys.stderr,
            )  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
