#!/usr/bin/python3
"""Does varflow sample what the official code samples with these weights?

Greedy decoding (top-k 1) needs no random numbers, so the official `autoregressive_infer_cfg` and
`./varflow sample --top-k 1 --top-p 0` must pick the same token at every position. Run varflow first:

  ./varflow sample --vae M/vae.pth --var M/var.pth --config M/config.json --classes 0,1,2,3,4,5,6,7,8,9 \
      --top-k 1 --top-p 0 --cfg 1.5 --out /tmp/fashion-greedy
  tools/fashion-var/parity.py --model M --varflow-out /tmp/fashion-greedy --cfg 1.5

Prints how many tokens and images agree; exits 1 on a mismatch.
"""
import os

for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(var, None)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", required=True, help="folder with config.json, vae.pth, var.pth")
    p.add_argument("--varflow-out", required=True, help="--out folder of ./varflow sample (tokens.json, images.npy)")
    p.add_argument("--cfg", type=float, default=1.5)
    p.add_argument("--official", default=os.environ.get("VAR_OFFICIAL", "/work/official-var"))
    a = p.parse_args()
    torch.set_num_threads(1)
    with open(os.path.join(a.model, "config.json")) as f:
        c = json.load(f)
    basic_vae, VQVAE, VAR = train.import_official(a.official)
    import models.var as official_var
    args = argparse.Namespace(vocab=c["vocab_size"], z_channels=c["z_channels"], ch=c["ch"],
                              ch_mult=",".join(map(str, c["ch_mult"])), patch_nums=",".join(map(str, c["patch_nums"])))
    vae, patch_nums, _ = train.build_vae(args, basic_vae, VQVAE)
    # VQVAE.load_state_dict passes an argument torch 1.13 lacks; the plain one is strict as well
    torch.nn.Module.load_state_dict(vae, torch.load(os.path.join(a.model, "vae.pth"), map_location="cpu"))
    var = VAR(vae_local=vae, num_classes=c["num_classes"], depth=c["depth"], embed_dim=c["embed_dim"],
              num_heads=c["num_heads"], norm_eps=c["norm_eps"], shared_aln=c["shared_aln"],
              attn_l2_norm=c["attn_l2_norm"], patch_nums=patch_nums,
              flash_if_available=False, fused_if_available=False)
    var.load_state_dict(torch.load(os.path.join(a.model, "var.pth"), map_location="cpu"))
    vae.eval()
    var.eval()

    picked = []
    original = official_var.sample_with_top_k_top_p_

    def recording(*args, **kwargs):
        idx = original(*args, **kwargs)
        picked.append(idx[:, :, 0].clone())
        return idx

    official_var.sample_with_top_k_top_p_ = recording
    with open(os.path.join(a.varflow_out, "tokens.json")) as f:
        theirs = json.load(f)["images"]
    labels = torch.tensor([im["label"] for im in theirs])
    with torch.no_grad():
        images = var.autoregressive_infer_cfg(B=len(labels), label_B=labels, g_seed=0, cfg=a.cfg,
                                              top_k=1, top_p=0.0, more_smooth=False)
    same = total = 0
    for b, im in enumerate(theirs):
        for s, scale in enumerate(im["tokens_per_scale"]):
            ours = picked[s][b].tolist()
            same += sum(int(x == y) for x, y in zip(ours, scale))
            total += len(scale)
    diff = np.abs(images.numpy() - np.load(os.path.join(a.varflow_out, "images.npy"))).max()
    print(f"cfg {a.cfg}: {same}/{total} tokens identical over {len(labels)} images; "
          f"largest pixel difference {diff:.2e}")
    sys.exit(0 if same == total else 1)


if __name__ == "__main__":
    main()
