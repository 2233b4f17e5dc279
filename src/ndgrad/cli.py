"""The ``ndgrad`` command."""
import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="ndgrad", description="ndgrad: PyTorch's autograd on NumPy")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("tutorial", help="run the autograd tutorial (the seed example) and print its results")
    args = parser.parse_args(argv)
    if args.command in (None, "tutorial"):
        from .tools import tutorial
        return tutorial.main()
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())
