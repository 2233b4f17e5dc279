"""``ndgrad finetune``: the seed's transfer-learning story as a command.

Load a (pretrained) backbone, freeze every parameter, replace the ``fc`` head with a new
``nn.Linear`` for the dataset's classes, train only the head, evaluate on held-out data, and save a
checkpoint that ``torch.load`` can read.

With ``--data DIR`` it fine-tunes on an ImageFolder directory. Without it, it runs offline on the
handwritten digits bundled with ndgrad: if no pretrained weights are available, it says so,
pretrains the backbone on digits 0-4, then transfers the frozen backbone to digits 5-9.
"""
import json
import os
import time

import numpy as np

import ndgrad
from ndgrad import nn, optim
from .progress import progress


def add_arguments(p):
    p.add_argument("--data", help="ImageFolder directory (class sub-folders); default: the bundled digits")
    p.add_argument("--arch", default="resnet18", help="model architecture from ndgrad.vision.models (default resnet18)")
    p.add_argument("--weights", default="DEFAULT",
                   help="pretrained weights: a .pth/.safetensors path, DEFAULT, or none (default DEFAULT)")
    p.add_argument("--epochs", type=int, default=15, help="epochs of head training (default 15)")
    p.add_argument("--pretrain-epochs", type=int, default=8,
                   help="epochs of backbone pretraining on digits 0-4 when no weights are available (default 8)")
    p.add_argument("--lr", type=float, default=0.05, help="learning rate of the head (default 0.05)")
    p.add_argument("--batch-size", type=int, default=64, help="batch size (default 64)")
    p.add_argument("--unfreeze", action="store_true", help="fine-tune every parameter, not only the head")
    p.add_argument("--image-size", type=int, default=32, help="digits are resized to this size (default 32)")
    p.add_argument("--val-fraction", type=float, default=0.2, help="held-out fraction (default 0.2)")
    p.add_argument("--workers", type=int, default=0, help="DataLoader worker threads (default 0)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--out", default="ndgrad-finetune", help="output directory (default ./ndgrad-finetune)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


# -- data ---------------------------------------------------------------------------------------------
def _digits_tensors(size):
    """Bundled digits as (N, 3, size, size) float32 tensors normalised to mean 0, std 1, and labels."""
    from .digits import load_digits
    images, labels = load_digits()
    x = ndgrad.from_numpy(images[:, None])
    if size != 8:
        x = nn.functional.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    x = (x - 0.5) / 0.5
    return x.expand(-1, 3, -1, -1).contiguous(), ndgrad.from_numpy(labels)


def _split(n, fraction, generator):
    perm = ndgrad.randperm(n, generator=generator).numpy()
    n_val = max(1, int(round(n * fraction)))
    return perm[n_val:], perm[:n_val]


def _train_loader(dataset, args, generator):
    """Shuffled batches; under an MPI launcher each rank takes its shard (DistributedSampler) and a
    share of the batch, so the global batch size stays ``--batch-size``."""
    from ndgrad.utils.data import DataLoader, DistributedSampler
    info = args.launch
    if info is not None and info.distributed:
        sampler = DistributedSampler(dataset, info.world_size, info.rank, shuffle=True, seed=args.seed)
        return DataLoader(dataset, batch_size=max(1, args.batch_size // info.world_size), sampler=sampler,
                          num_workers=args.workers)
    return DataLoader(dataset, batch_size=args.batch_size, shuffle=True, generator=generator,
                      num_workers=args.workers)


def _loaders(x, y, idx_train, idx_val, args, generator):
    from ndgrad.utils.data import DataLoader, TensorDataset
    train = TensorDataset(x[ndgrad.from_numpy(idx_train)], y[ndgrad.from_numpy(idx_train)])
    val = TensorDataset(x[ndgrad.from_numpy(idx_val)], y[ndgrad.from_numpy(idx_val)])
    return _train_loader(train, args, generator), DataLoader(val, batch_size=256, num_workers=args.workers)


def _imagefolder_loaders(args, weights, generator):
    from ndgrad.utils.data import DataLoader, Subset
    from ndgrad.vision import datasets, transforms
    if weights is not None and hasattr(weights, "transforms"):
        eval_tf = weights.transforms()
    else:
        eval_tf = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
                                      transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    train_tf = transforms.Compose([transforms.RandomResizedCrop(224), transforms.RandomHorizontalFlip(),
                                   transforms.ToTensor(),
                                   transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])])
    full_train = datasets.ImageFolder(args.data, transform=train_tf)
    full_eval = datasets.ImageFolder(args.data, transform=eval_tf)
    idx_train, idx_val = _split(len(full_train), args.val_fraction, generator)
    return (_train_loader(Subset(full_train, idx_train.tolist()), args, generator),
            DataLoader(Subset(full_eval, idx_val.tolist()), batch_size=args.batch_size, num_workers=args.workers),
            full_train.classes)


# -- model ------------------------------------------------------------------------------------------------
def _load_backbone(args, say):
    """The model with pretrained weights if they can be had, else None weights (and a message)."""
    from ndgrad.vision import models
    builder = getattr(models, args.arch, None)
    if builder is None:
        raise SystemExit(f"ndgrad finetune: unknown --arch {args.arch!r}; choose one of {models.list_models()}")
    if args.weights.lower() == "none":
        return builder(weights=None), None
    if os.path.exists(args.weights):
        model = builder(weights=None)
        state = ndgrad.load(args.weights, weights_only=True)
        if isinstance(state, dict) and "state_dict" in state:
            state = state["state_dict"]
        model.load_state_dict(state)
        say(f"loaded weights from {args.weights}")
        return model, args.weights
    try:
        weights = models.get_model_weights(args.arch)[args.weights] if args.weights != "DEFAULT" else \
            models.get_model_weights(args.arch).DEFAULT
        model = builder(weights=weights, progress=not args.quiet)
        say(f"loaded pretrained weights {weights}")
        return model, weights
    except (RuntimeError, OSError) as err:
        first = str(err).splitlines()[0]
        say(f"no pretrained weights available ({first})")
        return builder(weights=None), None


def _head_name(model):
    for name in ("fc", "classifier"):
        if hasattr(model, name):
            return name
    raise SystemExit("ndgrad finetune: the model has neither an `fc` nor a `classifier` head")


def _replace_head(model, num_classes):
    name = _head_name(model)
    head = getattr(model, name)
    if isinstance(head, nn.Linear):
        setattr(model, name, nn.Linear(head.in_features, num_classes))
    else:  # VGG / MobileNet: a Sequential whose last layer is the Linear
        last = len(head) - 1
        head[last] = nn.Linear(head[last].in_features, num_classes)
    return getattr(model, name)


def _freeze_all_but_head(model):
    for p in model.parameters():
        p.requires_grad = False
    for p in getattr(model, _head_name(model)).parameters():
        p.requires_grad = True


def _counts(model):
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    return trainable, frozen


# -- training ------------------------------------------------------------------------------------------
def _set_mode(model, frozen_backbone):
    """A frozen backbone runs in eval mode (BatchNorm statistics stay as trained); the head trains."""
    if frozen_backbone:
        model.eval()
        getattr(model, _head_name(model)).train()
    else:
        model.train()


def _all_reduce_sums(*values):
    """Sum per-rank totals over all ranks (a no-op without a process group)."""
    from ndgrad import distributed as dist
    if not dist.is_initialized():
        return values
    t = ndgrad.tensor(list(values), dtype=ndgrad.float64)
    dist.all_reduce(t)
    return tuple(t.tolist())


def _train_epoch(model, net, loader, optimizer, scheduler, frozen_backbone, desc, quiet, epoch):
    """One epoch; ``net`` is ``model`` or its DistributedDataParallel wrapper."""
    _set_mode(model, frozen_backbone)
    if hasattr(loader.sampler, "set_epoch"):
        loader.sampler.set_epoch(epoch)
    total, correct, loss_sum = 0, 0, 0.0
    bar = progress(loader, desc=desc, disable=quiet)
    for x, y in bar:
        optimizer.zero_grad()
        out = net(x)
        loss = nn.functional.cross_entropy(out, y)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        n = y.shape[0]
        total += n
        loss_sum += loss.item() * n
        correct += int((out.argmax(1) == y).sum())
        if hasattr(bar, "set_postfix"):
            bar.set_postfix(loss=loss_sum / total, acc=correct / total)
    loss_sum, correct, total = _all_reduce_sums(loss_sum, correct, total)
    return loss_sum / total, correct / total


def evaluate(model, loader):
    model.eval()
    total, correct, loss_sum = 0, 0, 0.0
    with ndgrad.no_grad():
        for x, y in loader:
            out = model(x)
            loss_sum += nn.functional.cross_entropy(out, y, reduction="sum").item()
            correct += int((out.argmax(1) == y).sum())
            total += y.shape[0]
    return loss_sum / total, correct / total


def fit(model, train_loader, val_loader, epochs, lr, frozen_backbone, label, say, quiet, history):
    from ndgrad import distributed as dist
    net = model
    if dist.is_initialized() and dist.get_world_size() > 1:
        from ndgrad.nn.parallel import DistributedDataParallel
        net = DistributedDataParallel(model)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = optim.SGD(params, lr=lr, momentum=0.9, nesterov=True, weight_decay=1e-4)
    scheduler = optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=max(1, epochs * len(train_loader)))
    for epoch in range(epochs):
        start = time.perf_counter()
        tr_loss, tr_acc = _train_epoch(model, net, train_loader, optimizer, scheduler, frozen_backbone,
                                       f"{label} {epoch + 1}/{epochs}", quiet, epoch)
        seconds = time.perf_counter() - start
        va_loss, va_acc = evaluate(model, val_loader)
        history.append({"phase": label, "epoch": epoch + 1, "train_loss": tr_loss, "train_acc": tr_acc,
                        "val_loss": va_loss, "val_acc": va_acc, "seconds": seconds})
        say(f"{label} epoch {epoch + 1}/{epochs}: train loss {tr_loss:.4f} acc {tr_acc:.3f} | held-out loss "
            f"{va_loss:.4f} acc {va_acc:.3f} | {seconds:.1f} s/epoch")
    return history


def _silent(*_args, **_kwargs):
    pass


def _plot(history, path):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    for phase in dict.fromkeys(h["phase"] for h in history):
        hs = [h for h in history if h["phase"] == phase]
        ep = [h["epoch"] for h in hs]
        ax1.plot(ep, [h["train_loss"] for h in hs], "-o", label=f"{phase} train")
        ax1.plot(ep, [h["val_loss"] for h in hs], "--o", label=f"{phase} held-out")
        ax2.plot(ep, [h["train_acc"] for h in hs], "-o", label=f"{phase} train")
        ax2.plot(ep, [h["val_acc"] for h in hs], "--o", label=f"{phase} held-out")
    ax1.set(title="loss", xlabel="epoch")
    ax2.set(title="accuracy", xlabel="epoch", ylim=(0, 1.02))
    ax1.legend(fontsize=8)
    ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def run(args, say=print, is_main=True):
    """Run the whole job; returns a dict of the results (also written to <out>/metrics.json).

    Under ``mpiexec -n N`` it trains data-parallel (DistributedDataParallel, a DistributedSampler
    shard per rank); only rank 0 prints, writes the checkpoint and the plot.
    """
    from ndgrad import distributed as dist
    args.launch = dist.launch_info()
    if args.launch.distributed:
        dist.init_process_group("mpi")
        is_main = is_main and dist.is_main_process()
        if not is_main:
            say = _silent
            args.quiet = True
        else:
            say(f"data-parallel on {args.launch.world_size} processes ({args.launch.launcher})")
    ndgrad.manual_seed(args.seed)
    gen = ndgrad.Generator().manual_seed(args.seed)
    history = []
    model, weights = _load_backbone(args, say)
    pretrained = weights is not None
    if args.data:
        train_loader, val_loader, classes = _imagefolder_loaders(args, weights, gen)
        task = f"ImageFolder {args.data} ({len(classes)} classes)"
    else:
        x, y = _digits_tensors(args.image_size)
        labels = y.numpy()
        if not pretrained:
            say("pretraining the backbone on digits 0-4 (a real transfer-learning run: the head is then "
                "trained on digits 5-9 with the backbone frozen)")
            src = np.nonzero(labels < 5)[0]
            tr, va = _split(len(src), args.val_fraction, gen)
            src_train, src_val = _loaders(x, y, src[tr], src[va], args, gen)
            _replace_head(model, 5)
            fit(model, src_train, src_val, args.pretrain_epochs, 0.05, False, "pretrain 0-4", say, args.quiet,
                history)
            tgt = np.nonzero(labels >= 5)[0]
            y = y - 5 * (y >= 5).long()  # digits 5-9 become classes 0-4 of the new head
            classes = [str(d) for d in range(5, 10)]
        else:
            tgt = np.arange(len(labels))
            classes = [str(d) for d in range(10)]
        tr, va = _split(len(tgt), args.val_fraction, gen)
        train_loader, val_loader = _loaders(x, y, tgt[tr], tgt[va], args, gen)
        task = f"digits {classes[0]}-{classes[-1]} ({len(tgt)} images, {args.image_size}x{args.image_size})"
    if not args.unfreeze:
        _freeze_all_but_head(model)
    _replace_head(model, len(classes))  # the new head requires grad by default
    trainable, frozen = _counts(model)
    say(f"fine-tuning on {task}: trainable parameters {trainable:,}, frozen {frozen:,}")
    fit(model, train_loader, val_loader, args.epochs, args.lr, not args.unfreeze, "head" if not args.unfreeze
        else "finetune", say, args.quiet, history)
    val_loss, val_acc = evaluate(model, val_loader)
    tuned = [h for h in history if h["phase"] in ("head", "finetune")]
    result = {"task": task, "arch": args.arch, "pretrained_weights": str(weights) if weights else None,
              "held_out_accuracy": val_acc, "held_out_loss": val_loss, "trainable_parameters": trainable,
              "frozen_parameters": frozen, "seconds_per_epoch": float(np.mean([h["seconds"] for h in tuned])),
              "classes": classes, "history": history}
    if is_main:
        os.makedirs(args.out, exist_ok=True)
        ckpt = os.path.join(args.out, f"{args.arch}_finetuned.pt")
        ndgrad.save(model.state_dict(), ckpt)
        with open(os.path.join(args.out, "metrics.json"), "w") as f:
            json.dump(result, f, indent=2)
        plot = _plot(history, os.path.join(args.out, "training.png"))
        say(f"held-out accuracy {val_acc:.3f} ({task}); trainable {trainable:,} vs frozen {frozen:,} parameters; "
            f"{result['seconds_per_epoch']:.1f} s per epoch")
        say(f"checkpoint (loadable with torch.load): {ckpt}")
        say(f"plot: {plot}" if plot else "plot: skipped (install matplotlib, e.g. pip install 'ndgrad[plot]')")
    return result
