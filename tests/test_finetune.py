"""`ndgrad finetune`: the main job end to end on small settings (the default run is longer)."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from ndgrad.cli import main


def run_cli(tmp_path, *extra):
    out = tmp_path / "out"
    code = main(["finetune", "--out", str(out), "--quiet", "--image-size", "16", "--epochs", "2",
                 "--pretrain-epochs", "1", "--batch-size", "128", *extra])
    assert code == 0
    return out


def test_digits_default_pretrains_then_transfers_with_frozen_backbone(tmp_path, capsys):
    out = run_cli(tmp_path, "--weights", "none")
    text = capsys.readouterr().out
    assert "pretraining the backbone on digits 0-4" in text
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["classes"] == ["5", "6", "7", "8", "9"]
    assert metrics["trainable_parameters"] == 512 * 5 + 5
    assert metrics["frozen_parameters"] == 11_176_512
    assert 0.0 <= metrics["held_out_accuracy"] <= 1.0
    phases = [h["phase"] for h in metrics["history"]]
    assert phases == ["pretrain 0-4", "head", "head"]
    state = torch.load(out / "resnet18_finetuned.pt", weights_only=True)  # readable by torch itself
    assert tuple(state["fc.weight"].shape) == (5, 512)
    assert state["layer1.0.conv1.weight"].dtype == torch.float32


def test_missing_weights_offline_is_reported_and_training_goes_on(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NDGRAD_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))
    # no network: every download attempt fails at once, as on a machine without internet access
    import urllib.error
    from ndgrad.vision import hub

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network in this test")
    monkeypatch.setattr(hub, "urlopen", offline)
    run_cli(tmp_path)
    text = capsys.readouterr().out
    assert "no pretrained weights available" in text


def test_imagefolder_data(tmp_path):
    pytest.importorskip("PIL", reason="ImageFolder needs Pillow (the vision extra)")
    from PIL import Image
    rng = np.random.default_rng(0)
    for cls in ("cat", "dog"):
        os.makedirs(tmp_path / "data" / cls)
        for i in range(6):
            img = (rng.random((40, 40, 3)) * 255).astype(np.uint8)
            Image.fromarray(img).save(tmp_path / "data" / cls / f"{i}.png")
    out = tmp_path / "out"
    code = main(["finetune", "--data", str(tmp_path / "data"), "--weights", "none", "--out", str(out), "--quiet",
                 "--epochs", "1", "--batch-size", "4", "--arch", "resnet18"])
    assert code == 0
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["classes"] == ["cat", "dog"] and metrics["trainable_parameters"] == 512 * 2 + 2


def test_tutorial_command_walks_through_the_seed(capsys):
    assert main(["tutorial"]) == 0
    text = capsys.readouterr().out
    assert text.count("tensor([True, True])") == 2
    assert "SubBackward0" in text and "AccumulateGrad" in text
    assert "parameters that received a gradient: ['fc.weight', 'fc.bias']" in text
