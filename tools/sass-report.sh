#!/usr/bin/env bash
# tools/sass-report.sh: instruction counts of the device fills without a GPU: registers and size of
# the real kernels (a built fill.cu.o) and the per-unit SASS of tools/sass_probe.cu, with an
# issue-rate model of what each fill could reach on an H200. Needs nvcc, cuobjdump and nvdisasm.
# Usage: tools/sass-report.sh [build-dir (default build)] > report.txt
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${1:-$root/build}
arch=${WEIGHTINIT_SASS_ARCH:-90}
command -v nvcc >/dev/null || export PATH=/usr/local/cuda/bin:$PATH
for tool in nvcc cuobjdump nvdisasm; do
  command -v "$tool" >/dev/null || { echo "sass-report: $tool not found on PATH" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The probes, with the library's exact-math flags.
nvcc -cubin -arch=sm_$arch -std=c++17 --fmad=false -Xptxas -v -I"$root/include" \
  "$root/tools/sass_probe.cu" -o "$tmp/probe.cubin" 2> "$tmp/probe.ptxas"
cuobjdump -sass "$tmp/probe.cubin" > "$tmp/probe.sass"
fill_obj=$(find "$build" -path '*kernels/fill.cu.o' 2>/dev/null | head -1)
if [ -n "$fill_obj" ]; then
  cuobjdump -sass "$fill_obj" > "$tmp/fill.sass"
  cuobjdump -res-usage "$fill_obj" > "$tmp/fill.res"
else
  : > "$tmp/fill.sass"
  : > "$tmp/fill.res"
fi
echo "# SASS report: sm_$arch, $(nvcc --version | tail -1)"
echo "# fill kernels from: ${fill_obj:-(none: build the library first)}"
python3 - "$tmp/probe.sass" "$tmp/fill.sass" "$tmp/fill.res" <<'EOF'
import re, sys

def functions(path):
    """{mangled name: [opcode strings]} from a cuobjdump -sass listing."""
    out, name = {}, None
    for line in open(path):
        m = re.search(r'Function : (\S+)', line)
        if m:
            name = m.group(1); out[name] = []; continue
        m = re.match(r'\s+/\*[0-9a-f]{4,}\*/\s+(.*?)\s*;', line)
        if m and name:
            out[name].append(m.group(1))
    return out

STORAGE = {'ff': 'f32', 'dd': 'f64', 'NS_8f16_bitsEf': 'f16', 'NS_9bf16_bitsEf': 'bf16',
           'IN10weightinit8f16_bitsEf': 'f16', 'IN10weightinit9bf16_bitsEf': 'bf16'}
KIND = ['constant', 'uniform', 'normal', 'truncated_normal']

def friendly(mangled):
    m = re.search(r'(?:fill_kernel|unit_probe)I(ff|dd|NS_8f16_bitsEf|NS_9bf16_bitsEf|'
                  r'IN10weightinit8f16_bitsEf|IN10weightinit9bf16_bitsEf|N10weightinit8f16_bitsEf|'
                  r'N10weightinit9bf16_bitsEf)L\S*?distribution_kindE(\d)', mangled)
    if not m:
        return None
    key = m.group(1)
    dtype = 'f32' if key == 'ff' else 'f64' if key == 'dd' else 'bf16' if 'bf16' in key else 'f16'
    return KIND[int(m.group(2))] + ' ' + dtype

def opcode(ins):
    ins = re.sub(r'^@!?U?P\w+\s+', '', ins)  # drop a predicate guard
    return ins.split()[0] if ins.split() else ''

def klass(op):
    base = op.split('.')[0]
    if base.startswith('U') and base not in ('UNUSED',):
        return 'uniform'
    if base in ('FFMA', 'FMUL', 'FADD', 'FMNMX', 'FSEL', 'FSETP', 'HFMA2', 'FSET'):
        return 'fp32'
    if base in ('DFMA', 'DMUL', 'DADD', 'DSETP', 'DMNMX'):
        return 'fp64'
    if base in ('MUFU',):
        return 'mufu'
    if base in ('I2F', 'F2I', 'F2F', 'I2FP', 'F2IP', 'F2FP', 'FRND'):
        return 'cvt'
    if base in ('IMAD', 'IADD3', 'LOP3', 'SHF', 'ISETP', 'LEA', 'SEL', 'PRMT', 'VIADD', 'MOV', 'IABS',
                'IMNMX', 'VIADDMNMX', 'FLO', 'POPC', 'BREV', 'PLOP3', 'P2R', 'R2P', 'LOP', 'SHL',
                'SHR', 'BMSK', 'IDP', 'FCHK', 'I2I', 'IMUL'):
        return 'int'
    if base in ('STG', 'LDG', 'LDC', 'ST', 'LD', 'STL', 'LDL', 'S2R', 'CS2R', 'S2UR'):
        return 'mem'
    if base in ('NOP',):
        return 'nop'
    return 'control'

# Results per clock per SM (CUDA C++ Programming Guide, throughput table, cc 9.0); the issue limit
# is 4 schedulers x 32 lanes. 'control' and 'mem' count toward issue only.
RATE = {'fp32': 128, 'fp64': 64, 'int': 64, 'mufu': 16, 'cvt': 16}
ISSUE = 128
SMS, CLOCK = 132, 1.98e9  # H200 SXM: multiprocessors, boost clock

def main_stream(ops):
    """Instructions from entry to the first unpredicated EXIT (slow paths live after it)."""
    out = []
    for ins in ops:
        out.append(ins)
        if ins.split()[0] == 'EXIT':
            break
    return out

probe = functions(sys.argv[1])
floor = None
for name, ops in probe.items():
    if 'store_probe' in name:
        floor = [opcode(i) for i in main_stream(ops)]
floor_counts = {}
for op in floor or []:
    floor_counts[klass(op)] = floor_counts.get(klass(op), 0) + 1

# Real kernels: registers (cuobjdump -res-usage) and static size.
regs = {}
cur = None
for line in open(sys.argv[3]):
    m = re.search(r'Function (\S+):', line)
    if m:
        cur = m.group(1); continue
    m = re.search(r'REG:(\d+)', line)
    if m and cur:
        regs[cur] = int(m.group(1))
fill = functions(sys.argv[2])
if fill:
    print('\n## Fill kernels (kernels/fill.cu): registers and static SASS size')
    print('| kernel | registers | SASS instructions (all paths) |')
    print('|---|---:|---:|')
    for name in sorted(fill, key=lambda n: friendly(n) or n):
        ops = [i for i in fill[name] if opcode(i) != 'NOP']
        print('| %s | %s | %d |' % (friendly(name) or name, regs.get(name, '?'), len(ops)))

print('\n## Per-unit cost (tools/sass_probe.cu: one 16-byte unit, straight line, entry to EXIT)')
print('Lane instructions per unit, less the store-only floor (%d); uniform-datapath instructions'
      % sum(v for k, v in floor_counts.items() if k not in ('uniform', 'nop')))
print('(the key schedule, hoisted out of the real loop) and slow paths after EXIT are left out.')
print('Model: cycles per unit per SM = max(all/%d issue, int/64, fp32/128, fp64/64, mufu/16, cvt/16);'
      % ISSUE)
print('bound = 16 bytes x %d SMs x %.2f GHz / cycles. Compare with the store roofline measured by' % (SMS, CLOCK / 1e9))
print('the benchmark (about 4 TB/s on an H200); a bound below it means arithmetic limits the fill.')
print('Rates assumed (results per clock per SM; CUDA C++ Programming Guide throughput table, cc 9.0):')
print('issue %d lanes (4 schedulers x 32), %s; memory (LDG of the quantile table, STG) and control'
      % (ISSUE, ', '.join('%s %d' % kv for kv in RATE.items())))
print('count toward issue only: the L1 cost of the lanes\' scattered table reads is not modelled.')
print('| fill | elements/unit | lane instr/unit | instr/element | fp32 | fp64 | int | mufu | cvt | other | uniform | limiting | bound GB/s |')
print('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|')
rows = []
for name, ops in probe.items():
    f = friendly(name)
    if not f:
        continue
    counts = {}
    for ins in main_stream(ops):
        k = klass(opcode(ins))
        counts[k] = counts.get(k, 0) + 1
    for k, v in floor_counts.items():
        counts[k] = counts.get(k, 0) - v
    lane = {k: max(0, v) for k, v in counts.items() if k not in ('uniform', 'nop')}
    total = sum(lane.values())
    per = {'issue': total / ISSUE}
    for k, r in RATE.items():
        per[k] = lane.get(k, 0) / r
    limit = max(per, key=per.get)
    cycles = max(per[limit], 1e-9)
    bound = 16 * SMS * CLOCK / cycles / 1e9
    elems = 2 if f.endswith('f64') else 8 if f.endswith('f16') else 4
    other = lane.get('control', 0) + lane.get('mem', 0)
    rows.append((f, elems, total, total / elems, lane.get('fp32', 0), lane.get('fp64', 0),
                 lane.get('int', 0), lane.get('mufu', 0), lane.get('cvt', 0), other,
                 max(0, counts.get('uniform', 0)), limit, bound))
order = {k: i for i, k in enumerate(KIND)}
for r in sorted(rows, key=lambda r: (order[r[0].split()[0]], r[0].split()[1])):
    print('| %s | %d | %d | %.1f | %d | %d | %d | %d | %d | %d | %d | %s | %.0f |' % r)
EOF
echo
echo "## ptxas -v for the probes"
grep -E "Compiling entry|Used [0-9]+ registers" "$tmp/probe.ptxas" | sed -E 's/.*entry function .(_Z[^ ]*). for.*/\1/' | paste - - |
  sed -E 's/\t.*Used ([0-9]+) registers.*/  \1 registers/' | sed -E 's/_ZN5probe10unit_probeI//'
