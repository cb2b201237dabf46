"""Times the official VAR code (FoundationVision/VAR `models/`) on CPU with random weights, split into the
phases `varflow bench` reports, and prints one RESULT line for compare.sh. Written for this project; the
official code itself is never copied here: VAR_OFFICIAL names a folder holding its `models/` and `dist.py`.

  VAR_OFFICIAL=DIR python3 official_phases.py CONFIG BATCH WARMUP RUNS THREADS [TOP_K TOP_P CFG]

VAR_PROFILE=1 also prints torch's per-operator profile of the measured runs (self CPU time per operator).

CONFIG is a depth (16 = the ImageNet-256 d16 preset) or a varflow model config JSON (e.g. the tiny fixture's).
Phases: sampling = sample_with_top_k_top_p_ + get_next_autoregressive_input (embedding, f_hat update, area
down-sampling), decode = fhat_to_img, transformer = the rest of autoregressive_infer_cfg (blocks, head, CFG
mix, word embedding)."""
import json, os, resource, sys, time
sys.path.insert(0, os.environ['VAR_OFFICIAL'])
import torch
import models.var as official_var
from models import build_vae_var

spec, B, warmup, runs, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
top_k = int(sys.argv[6]) if len(sys.argv) > 6 else 900
top_p = float(sys.argv[7]) if len(sys.argv) > 7 else 0.96
cfg = float(sys.argv[8]) if len(sys.argv) > 8 else 1.5
torch.set_num_threads(threads)
if spec.isdigit():
    c = dict(vocab_size=4096, z_channels=32, ch=160, share_quant_resi=4, num_classes=1000, depth=int(spec),
             shared_aln=False, patch_nums=[1, 2, 3, 4, 5, 6, 8, 10, 13, 16])
else:
    with open(spec) as f:
        c = json.load(f)
if top_k >= c['vocab_size']:
    top_k = 0  # varflow clamps k to the vocabulary, i.e. no top-k mask; torch.topk would reject k > V

torch.manual_seed(0)
vae, var = build_vae_var(V=c['vocab_size'], Cvae=c['z_channels'], ch=c['ch'], share_quant_resi=c['share_quant_resi'],
                         device='cpu', patch_nums=tuple(c['patch_nums']), num_classes=c['num_classes'],
                         depth=c['depth'], shared_aln=c['shared_aln'])
vae.eval(); var.eval()
with torch.no_grad():  # test-mode VQVAE storage is uninitialised: give it small finite random weights
    for name, p in vae.named_parameters():
        p.normal_(0, 0.02) if p.dim() > 1 else (p.fill_(1.0) if name.endswith('weight') else p.zero_())
for p in list(vae.parameters()) + list(var.parameters()):
    p.requires_grad_(False)

spent = {'sampling': 0.0, 'decode': 0.0, 'sampling_cpu': 0.0, 'decode_cpu': 0.0}
def timed(phase, fn):  # wall time and this thread's CPU time (the compute, with one torch thread)
    def wrapper(*args, **kwargs):
        t, c = time.perf_counter(), time.thread_time()
        out = fn(*args, **kwargs)
        spent[phase] += time.perf_counter() - t
        spent[phase + '_cpu'] += time.thread_time() - c
        return out
    return wrapper
official_var.sample_with_top_k_top_p_ = timed('sampling', official_var.sample_with_top_k_top_p_)
quant = var.vae_quant_proxy[0]
quant.get_next_autoregressive_input = timed('sampling', quant.get_next_autoregressive_input)
decoder = var.vae_proxy[0]
decoder.fhat_to_img = timed('decode', decoder.fhat_to_img)

labels = torch.arange(B) % c['num_classes']
with torch.inference_mode():
    for i in range(warmup):
        var.autoregressive_infer_cfg(B=B, label_B=labels, cfg=cfg, top_k=top_k, top_p=top_p, g_seed=i)
    for k in spent:
        spent[k] = 0.0
    profiler = torch.autograd.profiler.profile() if os.environ.get('VAR_PROFILE') else None
    if profiler:
        profiler.__enter__()
    cpu0, thread0, t0 = time.process_time(), time.thread_time(), time.perf_counter()
    for i in range(runs):
        var.autoregressive_infer_cfg(B=B, label_B=labels, cfg=cfg, top_k=top_k, top_p=top_p, g_seed=warmup + i)
    wall, cpu = (time.perf_counter() - t0) / runs, (time.process_time() - cpu0) / runs
    thread = (time.thread_time() - thread0) / runs
    if profiler:  # VAR_PROFILE=1: torch's own per-operator table of the measured runs
        profiler.__exit__(None, None, None)
        print(profiler.key_averages().table(sort_by='self_cpu_time_total', row_limit=25), flush=True)
sampling, decode = spent['sampling'] / runs, spent['decode'] / runs
sampling_cpu, decode_cpu = spent['sampling_cpu'] / runs, spent['decode_cpu'] / runs
rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
print(f"RESULT side=official batch={B} threads={threads} ms_per_batch={wall*1000:.0f} images_per_s={B/wall:.4f} "
      f"transformer_ms={(wall-sampling-decode)*1000:.0f} sampling_ms={sampling*1000:.0f} decode_ms={decode*1000:.0f} "
      f"transformer_cpu_ms={(thread-sampling_cpu-decode_cpu)*1000:.0f} sampling_cpu_ms={sampling_cpu*1000:.0f} "
      f"decode_cpu_ms={decode_cpu*1000:.0f} cpu_ms_per_batch={cpu*1000:.0f} peak_rss_mib={rss_mib:.0f}", flush=True)
