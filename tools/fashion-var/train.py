#!/usr/bin/python3
"""Train varflow's `fashion` model on Fashion-MNIST: a multi-scale VQVAE, then a class-conditional VAR.

Offline tool, never part of the build. The networks are the official FoundationVision/VAR classes, imported
from a local copy of the official `models/` and `dist.py` (see README.md), so the saved state_dicts have
exactly the keys, shapes and torch.save format of the published checkpoints; only the VQVAE's `ch_mult`
differs (32 px images, 8x8 tokens at the last scale).

Stages (each saves its weights as it goes, so an interrupted run leaves usable files):
  vae    - VQVAE: L1 + L2 reconstruction + the quantizer's commitment loss; dead codes re-seeded
  tokens - the multi-scale token maps of every training image (cached as tokens.npz)
  var    - the VAR transformer with teacher forcing (cross-entropy over all scales), EMA of its weights
"""
import os

# one thread everywhere: on a shared 2-core machine a second thread (torch's or OpenBLAS's) spins while
# descheduled and made a step up to 8x slower; these must be set before torch loads OpenBLAS
for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(var, None)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import gzip
import json
import math
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

CLASS_NAMES = ["T-shirt/top", "trouser", "pullover", "dress", "coat",
               "sandal", "shirt", "sneaker", "bag", "ankle boot"]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--official", default=os.environ.get("VAR_OFFICIAL", "/work/official-var"),
                   help="folder holding the official models/ and dist.py")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist", help="the idx .gz files")
    p.add_argument("--out", required=True, help="work folder: checkpoints, token cache, log")
    p.add_argument("--stages", default="vae,tokens,var")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    # model
    p.add_argument("--vocab", type=int, default=256)
    p.add_argument("--z-channels", type=int, default=16)
    p.add_argument("--ch", type=int, default=32)
    p.add_argument("--ch-mult", default="1,2,2")
    p.add_argument("--patch-nums", default="1,2,4,8")
    p.add_argument("--depth", type=int, default=3)
    p.add_argument("--embed-dim", type=int, default=128)
    p.add_argument("--heads", type=int, default=4)
    # optimisation
    p.add_argument("--vae-steps", type=int, default=500)
    p.add_argument("--vae-batch", type=int, default=32)
    p.add_argument("--vae-lr", type=float, default=6e-4)
    p.add_argument("--var-steps", type=int, default=1500)
    p.add_argument("--var-batch", type=int, default=32)
    p.add_argument("--var-lr", type=float, default=1e-3)
    p.add_argument("--ema", type=float, default=0.999)
    p.add_argument("--save-every", type=int, default=250)
    p.add_argument("--token-images", type=int, default=30000,
                   help="training images whose token maps the VAR learns from (the first N)")
    p.add_argument("--time-budget-min", type=float, default=0,
                   help="per stage: stop (and save) after this many minutes even if steps remain; 0 = none")
    return p.parse_args()


def log(msg):
    print(time.strftime("%H:%M:%S ") + msg, flush=True)


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_split(data_dir, prefix):
    images = read_idx(os.path.join(data_dir, prefix + "-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, prefix + "-labels-idx1-ubyte.gz"))
    return images, labels.astype(np.int64)


def to_model_input(images_u8):
    """N x 28 x 28 uint8 -> N x 3 x 32 x 32 float in [-1, 1]: black 2-pixel border, grey copied to RGB."""
    x = torch.from_numpy(np.array(images_u8)).float().div(127.5).sub(1.0)
    x = F.pad(x, (2, 2, 2, 2), value=-1.0)
    return x.unsqueeze(1).expand(-1, 3, -1, -1).contiguous()


def import_official(folder):
    # var.py imports huggingface_hub only for a mixin; a stub keeps that dependency away
    if not os.path.exists(os.path.join(folder, "huggingface_hub.py")):
        try:
            import huggingface_hub  # noqa: F401
        except ImportError:
            sys.exit(f"{folder}/huggingface_hub.py missing: see README.md (one-line stub)")
    sys.path.insert(0, folder)
    import models.basic_vae as basic_vae
    from models import VQVAE, VAR
    return basic_vae, VQVAE, VAR


def single_process_group(out):
    """The official quantizer asks torch.distributed for the world size even on one process."""
    import torch.distributed as tdist
    if not tdist.is_initialized():
        store = os.path.join(tempfile.mkdtemp(prefix="fashion-var-"), "pg")
        tdist.init_process_group("gloo", init_method="file://" + store, rank=0, world_size=1)


def build_vae(a, basic_vae, VQVAE):
    patch_nums = tuple(int(v) for v in a.patch_nums.split(","))
    ch_mult = tuple(int(v) for v in a.ch_mult.split(","))
    vae = VQVAE(vocab_size=a.vocab, z_channels=a.z_channels, ch=a.ch, test_mode=False,
                share_quant_resi=4, quant_resi=0.5, v_patch_nums=patch_nums)
    # the official VQVAE fixes ch_mult to the 256 px one; the same Encoder/Decoder classes with ours
    # keep every key name (encoder.down.i..., decoder.up.i...) and only change the number of levels
    dd = dict(ch=a.ch, ch_mult=ch_mult, num_res_blocks=2, dropout=0.0, in_channels=3,
              z_channels=a.z_channels, using_sa=True, using_mid_sa=True)
    vae.encoder = basic_vae.Encoder(double_z=False, **dd)
    vae.decoder = basic_vae.Decoder(**dd)
    vae.downsample = 2 ** (len(ch_mult) - 1)
    return vae, patch_nums, ch_mult


def save_atomic(state_dict, path):
    tmp = path + ".tmp"
    torch.save(state_dict, tmp)
    os.replace(tmp, path)


def lr_at(step, total, peak, warmup):
    if step < warmup:
        return peak * (step + 1) / warmup
    progress = (step - warmup) / max(1, total - warmup)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def out_of_time(start, a):
    return a.time_budget_min > 0 and time.time() - start > a.time_budget_min * 60


def train_vae(a, vae, x_train, gen):
    vae.train()
    opt = torch.optim.AdamW(vae.parameters(), lr=a.vae_lr, betas=(0.9, 0.95), weight_decay=0.0)
    quant = vae.quantize
    n = x_train.shape[0]
    hits = torch.zeros(a.vocab)
    start = time.time()
    for step in range(a.vae_steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, a.vae_steps, a.vae_lr, 100)
        x = x_train[torch.randint(0, n, (a.vae_batch,), generator=gen)]
        f = vae.quant_conv(vae.encoder(x))
        f_hat, _, vq_loss = quant(f)
        rec = vae.decoder(vae.post_quant_conv(f_hat))
        rec_loss = F.l1_loss(rec, x) + F.mse_loss(rec, x)
        loss = rec_loss + vq_loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            idx = torch.cat(quant.f_to_idxBl_or_fhat(f.detach(), to_fhat=False), dim=1)
            hits += idx.flatten().bincount(minlength=a.vocab).float()
            # codes unused over the last window restart next to a random used one, so the
            # small codebook stays fully in use (collapse is the usual failure of plain VQ)
            if (step + 1) % 100 == 0 and step + 1 < a.vae_steps * 0.8:
                dead = (hits == 0).nonzero().flatten()
                live = (hits > 0).nonzero().flatten()
                if len(dead) and len(live):
                    pick = live[torch.randint(0, len(live), (len(dead),), generator=gen)]
                    w = quant.embedding.weight
                    w[dead] = w[pick] + 0.01 * w[pick].std() * torch.randn(len(dead), w.shape[1], generator=gen)
                log(f"vae step {step + 1}: codes used {len(live)}/{a.vocab}, restarted {len(dead)}")
                hits.zero_()
        if (step + 1) % 25 == 0:
            el = time.time() - start
            log(f"vae step {step + 1}/{a.vae_steps} rec {rec_loss.item():.4f} vq {vq_loss.item():.4f} "
                f"lr {opt.param_groups[0]['lr']:.2e} {el / (step + 1):.2f}s/step")
        if (step + 1) % a.save_every == 0 or step + 1 == a.vae_steps or out_of_time(start, a):
            save_atomic(vae.state_dict(), os.path.join(a.out, "vae.pth"))
            if out_of_time(start, a):
                log(f"vae: time budget reached at step {step + 1}")
                break
    log(f"vae stage took {(time.time() - start) / 60:.1f} min")


@torch.no_grad()
def vae_eval(vae, x_test):
    vae.eval()
    errs = []
    for i in range(0, 1000, 100):
        x = x_test[i:i + 100]
        idx = vae.img_to_idxBl(x)
        rec = vae.idxBl_to_img(idx, same_shape=True, last_one=True)
        errs.append(F.mse_loss(rec, x).item())
    used = torch.cat([torch.cat(vae.img_to_idxBl(x_test[:1000]), 1)]).unique().numel()
    log(f"vae test: reconstruction MSE {np.mean(errs):.4f} (pixels in [-1,1]), codes used on 1000 images {used}")


@torch.no_grad()
def encode_tokens(vae, x, batch=200):
    vae.eval()
    out = []
    for i in range(0, x.shape[0], batch):
        out.append(torch.cat(vae.img_to_idxBl(x[i:i + batch]), dim=1).to(torch.int16))
    return torch.cat(out)


def train_var(a, var, vae, tokens, labels, gen, patch_nums):
    var.train()
    quant = vae.quantize
    lens = [p * p for p in patch_nums]
    ema = {k: v.detach().clone() for k, v in var.state_dict().items()}
    decay_params = [p for n, p in var.named_parameters() if p.ndim >= 2 and "emb" not in n and "pos" not in n]
    other = [p for n, p in var.named_parameters() if not (p.ndim >= 2 and "emb" not in n and "pos" not in n)]
    opt = torch.optim.AdamW([{"params": decay_params, "weight_decay": 0.05}, {"params": other, "weight_decay": 0.0}],
                            lr=a.var_lr, betas=(0.9, 0.95))
    n = tokens.shape[0]
    start = time.time()
    for step in range(a.var_steps):
        for g in opt.param_groups:
            g["lr"] = lr_at(step, a.var_steps, a.var_lr, 200)
        pick = torch.randint(0, n, (a.var_batch,), generator=gen)
        gt = tokens[pick].long()
        label = labels[pick]
        with torch.no_grad():
            x_in = quant.idxBl_to_var_input(list(torch.split(gt, lens, dim=1)))
        logits = var(label, x_in)
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), gt.reshape(-1), label_smoothing=0.0)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(var.parameters(), 2.0)
        opt.step()
        with torch.no_grad():
            d = min(a.ema, (1 + step) / (10 + step))
            for k, v in var.state_dict().items():
                if v.dtype.is_floating_point:
                    ema[k].mul_(d).add_(v.detach(), alpha=1 - d)
        if (step + 1) % 25 == 0:
            with torch.no_grad():
                acc = (logits.argmax(-1) == gt).float()
                last = acc[:, -lens[-1]:].mean().item()
            el = time.time() - start
            log(f"var step {step + 1}/{a.var_steps} loss {loss.item():.4f} acc {acc.mean().item():.3f} "
                f"(last scale {last:.3f}) lr {opt.param_groups[0]['lr']:.2e} {el / (step + 1):.2f}s/step")
        if (step + 1) % a.save_every == 0 or step + 1 == a.var_steps or out_of_time(start, a):
            save_atomic(ema, os.path.join(a.out, "var.pth"))
            save_atomic(var.state_dict(), os.path.join(a.out, "var-raw.pth"))
            if out_of_time(start, a):
                log(f"var: time budget reached at step {step + 1}")
                break
    log(f"var stage took {(time.time() - start) / 60:.1f} min")


def write_config(a, patch_nums, ch_mult):
    config = {
        "name": "fashion", "vocab_size": a.vocab, "z_channels": a.z_channels, "ch": a.ch,
        "ch_mult": list(ch_mult), "share_quant_resi": 4, "quant_resi": 0.5, "patch_nums": list(patch_nums),
        "depth": a.depth, "embed_dim": a.embed_dim, "num_heads": a.heads, "num_classes": len(CLASS_NAMES),
        "shared_aln": False, "attn_l2_norm": True, "norm_eps": 1e-6,
        "image_size": patch_nums[-1] * 2 ** (len(ch_mult) - 1),
    }
    with open(os.path.join(a.out, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
        f.write("\n")
    with open(os.path.join(a.out, "classes.json"), "w") as f:
        json.dump(CLASS_NAMES, f, indent=2)
        f.write("\n")


def main():
    a = parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    np.random.seed(a.seed)
    gen = torch.Generator().manual_seed(a.seed)
    stages = a.stages.split(",")
    basic_vae, VQVAE, VAR = import_official(a.official)
    single_process_group(a.out)

    t0 = time.time()
    train_images, train_labels = load_split(a.data, "train")
    test_images, _ = load_split(a.data, "t10k")
    x_train, x_test = to_model_input(train_images), to_model_input(test_images)
    log(f"data: {x_train.shape[0]} training, {x_test.shape[0]} test images, {tuple(x_train.shape[1:])}")

    vae, patch_nums, ch_mult = build_vae(a, basic_vae, VQVAE)
    write_config(a, patch_nums, ch_mult)
    log(f"vae: {sum(p.numel() for p in vae.parameters()) / 1e6:.2f} M parameters")
    vae_path = os.path.join(a.out, "vae.pth")
    if "vae" in stages:
        train_vae(a, vae, x_train, gen)
    else:
        # VQVAE.load_state_dict passes an argument torch 1.13 lacks; the plain one is strict as well
        torch.nn.Module.load_state_dict(vae, torch.load(vae_path, map_location="cpu"))
    vae_eval(vae, x_test)
    for p in vae.parameters():
        p.requires_grad_(False)

    tok_path = os.path.join(a.out, "tokens.npz")
    if "tokens" in stages:
        t = time.time()
        tokens = encode_tokens(vae, x_train[:a.token_images])
        np.savez(tok_path, tokens=tokens.numpy(), labels=train_labels[:a.token_images])
        log(f"tokens: {tuple(tokens.shape)} in {time.time() - t:.0f} s")
    if "var" in stages:
        cached = np.load(tok_path)
        tokens = torch.from_numpy(cached["tokens"])
        labels = torch.from_numpy(cached["labels"])
        torch.manual_seed(a.seed + 1)
        var = VAR(vae_local=vae, num_classes=len(CLASS_NAMES), depth=a.depth, embed_dim=a.embed_dim,
                  num_heads=a.heads, drop_rate=0.0, attn_drop_rate=0.0, drop_path_rate=0.0, norm_eps=1e-6,
                  shared_aln=False, cond_drop_rate=0.1, attn_l2_norm=True, patch_nums=patch_nums,
                  flash_if_available=False, fused_if_available=False)
        var.init_weights(init_adaln=0.5, init_adaln_gamma=1e-5, init_head=0.02, init_std=-1)
        log(f"var: {sum(p.numel() for p in var.parameters()) / 1e6:.2f} M parameters")
        train_var(a, var, vae, tokens, labels, gen, patch_nums)
    log(f"all stages took {(time.time() - t0) / 60:.1f} min")


if __name__ == "__main__":
    main()
