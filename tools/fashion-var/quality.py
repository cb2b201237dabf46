#!/usr/bin/python3
"""Quality of generated Fashion-MNIST images: class accuracy and an FID-style distance.

A small CNN is trained (seeded, cached) on the real Fashion-MNIST training set; its accuracy on the real test
set is printed as the yardstick. Each evaluation set given (`./varflow eval ... --out DIR` writes
DIR/samples.npz: arr_0 uint8 N x H x W x 3, labels int64 N) is then scored by
  - class accuracy: how often the classifier names the class the image was requested for;
  - FD: the Frechet distance between Gaussian fits of the classifier's penultimate features (128-d) of the
    generated images and of the real test images (FID's formula on this small classifier's features, not on
    Inception's: only comparable with other figures from this tool).
Real training images, as many as the set holds, are scored the same way as the floor both figures can reach.

Usage: quality.py [--cache FILE] DIR_OR_NPZ [DIR_OR_NPZ ...]
"""
import os

for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(var, None)
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import gzip  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

CLASS_NAMES = ["T-shirt/top", "trouser", "pullover", "dress", "coat",
               "sandal", "shirt", "sneaker", "bag", "ankle boot"]


class Classifier(nn.Module):
    """Two conv blocks and a 128-unit hidden layer: about 90% on the real test set after four epochs."""

    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 32, 3, padding=1)
        self.conv2 = nn.Conv2d(32, 64, 3, padding=1)
        self.hidden = nn.Linear(64 * 7 * 7, 128)
        self.out = nn.Linear(128, 10)

    def features(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return F.relu(self.hidden(x.flatten(1)))

    def forward(self, x):
        return self.out(self.features(x))


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_split(data_dir, prefix):
    images = read_idx(os.path.join(data_dir, prefix + "-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(data_dir, prefix + "-labels-idx1-ubyte.gz"))
    return to_input(images[:, :, :, None]), torch.from_numpy(labels.astype(np.int64))


def to_input(images_nhwc_u8):
    """N x H x W x C uint8 -> N x 1 x 28 x 28 float in [0, 1]: grey = channel mean; a 32 px image (the
    model's 28 px picture with a 2-pixel border) is cropped back to 28, other sizes are resized."""
    x = torch.from_numpy(np.array(images_nhwc_u8)).float().div(255.0)
    x = x.mean(dim=3, keepdim=True).permute(0, 3, 1, 2)
    if x.shape[-1] == 32:
        x = x[:, :, 2:30, 2:30]
    elif x.shape[-1] != 28:
        x = F.interpolate(x, size=(28, 28), mode="area")
    return x.contiguous()


def train_classifier(x, y, seed, batch=128):
    torch.manual_seed(seed)
    model = Classifier()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(seed)
    rates = [1e-3, 1e-3, 5e-4, 2e-4]
    for epoch, rate in enumerate(rates):
        for g in opt.param_groups:
            g["lr"] = rate
        order = torch.randperm(x.shape[0], generator=gen)
        for i in range(0, x.shape[0], batch):
            pick = order[i:i + batch]
            loss = F.cross_entropy(model(x[pick]), y[pick])
            opt.zero_grad()
            loss.backward()
            opt.step()
        print(f"classifier: epoch {epoch + 1}/{len(rates)} done (last batch loss {loss.item():.3f})", flush=True)
    return model


@torch.no_grad()
def predict(model, x, batch=1000):
    logits, feats = [], []
    for i in range(0, x.shape[0], batch):
        f = model.features(x[i:i + batch])
        feats.append(f)
        logits.append(model.out(f))
    return torch.cat(logits).argmax(1), torch.cat(feats).double().numpy()


def sqrtm_psd(m):
    w, v = np.linalg.eigh((m + m.T) / 2)
    return (v * np.sqrt(np.clip(w, 0, None))) @ v.T


def frechet_distance(f1, f2):
    mu1, mu2 = f1.mean(0), f2.mean(0)
    s1, s2 = np.cov(f1, rowvar=False), np.cov(f2, rowvar=False)
    r1 = sqrtm_psd(s1)
    # tr(sqrt(s1 s2)) = tr(sqrt(r1 s2 r1)), whose argument is symmetric positive semi-definite
    cross = np.sqrt(np.clip(np.linalg.eigvalsh(r1 @ s2 @ r1), 0, None)).sum()
    return float(((mu1 - mu2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * cross)


def per_class(pred, labels):
    return " ".join(f"{c}:{(pred[labels == c] == c).float().mean().item() * 100:.0f}"
                    for c in range(10) if (labels == c).any())


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("sets", nargs="*", help="eval output folders (holding samples.npz) or .npz files")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--cache", default=os.path.expanduser("~/.cache/varflow/fashion-classifier-v2-seed0.pt"),
                   help="trained classifier weights (made on the first run)")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(1)

    x_train, y_train = load_split(a.data, "train")
    x_test, y_test = load_split(a.data, "t10k")
    model = Classifier()
    if os.path.exists(a.cache):
        model.load_state_dict(torch.load(a.cache))
    else:
        t = time.time()
        model = train_classifier(x_train, y_train, a.seed)
        os.makedirs(os.path.dirname(a.cache) or ".", exist_ok=True)
        torch.save(model.state_dict(), a.cache)
        print(f"classifier: trained in {time.time() - t:.0f} s, cached at {a.cache}")
    model.eval()
    test_pred, test_feats = predict(model, x_test)
    print(f"classifier accuracy on the real test set: {(test_pred == y_test).float().mean().item() * 100:.1f}% "
          f"(10000 images; per class % {per_class(test_pred, y_test)})")

    for s in a.sets:
        path = os.path.join(s, "samples.npz") if os.path.isdir(s) else s
        data = np.load(path)
        images, labels = data["arr_0"], torch.from_numpy(data["labels"].astype(np.int64))
        pred, feats = predict(model, to_input(images))
        acc = (pred == labels).float().mean().item() * 100
        print(f"{path}: {len(labels)} images {images.shape[1]}x{images.shape[2]}, "
              f"class accuracy {acc:.1f}%, FD to real test {frechet_distance(feats, test_feats):.2f}")
        print(f"    per class % {per_class(pred, labels)}")
        # the floor: real training images, as many per class as the set has
        gen = torch.Generator().manual_seed(a.seed)
        pick = torch.cat([torch.nonzero(y_train == c).flatten()[
            torch.randperm(int((y_train == c).sum()), generator=gen)[:int((labels == c).sum())]]
            for c in range(10)])
        real_pred, real_feats = predict(model, x_train[pick])
        print(f"    real training images, same count per class: class accuracy "
              f"{(real_pred == y_train[pick]).float().mean().item() * 100:.1f}%, "
              f"FD to real test {frechet_distance(real_feats, test_feats):.2f}")


if __name__ == "__main__":
    main()
