"""The ``ndgrad`` command: ``ndgrad finetune`` (the main job) and ``ndgrad tutorial``."""
import argparse
import sys


def main(argv=None):
    parser = argparse.ArgumentParser(prog="ndgrad", description="ndgrad: PyTorch's autograd on NumPy")
    sub = parser.add_subparsers(dest="command")
    ft = sub.add_parser("finetune", help="fine-tune a pretrained model's head (default: offline digits demo)")
    from .tools import finetune
    finetune.add_arguments(ft)
    sub.add_parser("tutorial", help="run the autograd tutorial (the seed example) and print its results")
    args = parser.parse_args(argv)
    if args.command == "tutorial":
        from .tools import tutorial
        return tutorial.main()
    if args.command == "finetune":
        try:
            finetune.run(args)
        except BaseException:
            from . import distributed as dist
            if dist.is_initialized() and dist.get_world_size() > 1:
                import traceback
                traceback.print_exc()
                dist.abort(1)  # one rank failing alone would leave the others waiting forever
            raise
        return 0
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
