//! A BERT encoder's forward pass on the CPU over packed sentences: the
//! tokens of a batch's sentences laid end to end with no padding, each
//! sentence attending only to its own tokens, mean-pooled and L2-normalised
//! into one vector per sentence (what [`crate::embed::Embedder`] returns).
//!
//! Written by hand, beside candle's `BertModel` (which still runs on a GPU
//! and serves as the reference in the tests), because a profile of the
//! candle path on the CPU showed a quarter of the encoder's time in scalar
//! `erf` and `exp` calls (its GELU and softmax go element by element through
//! libm), a further share in allocating and zeroing intermediate tensors, and
//! every sentence padded to the longest of its batch. Here the dense layers'
//! products go to `rten-gemm` (a matrix-multiplication crate made for model
//! inference: weights packed once at load, and a u8 × i8 product on the
//! AVX-512 VNNI instructions), by default in 8 bits ([`Precision::Int8`]:
//! 1.5 times the f32 speed; on the test sentences, cosine 0.999 and above to
//! candle's f32 vectors); the
//! attention's small strided products go to `gemm`; the rest are fused loops
//! over contiguous rows that the compiler vectorises, and the buffers of one
//! batch are reused by the next.
//!
//! Buffers are row-major: a batch of `t` tokens is a `t × width` matrix.

use candle_core::safetensors::MmapedSafetensors;
use candle_core::{DType, Device};
use rayon::prelude::*;
use rten_gemm::{GemmExecutor, GemmInputA, GemmInputB, GemmOptions, PackedBMatrix};
use rten_tensor::NdTensorView;

/// Widths and depth of a BERT encoder: the fields of its config.json that the forward pass needs.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Shape {
    /// Width of a token's vector.
    pub hidden_size: usize,
    /// Number of transformer layers.
    pub num_hidden_layers: usize,
    /// Attention heads per layer.
    pub num_attention_heads: usize,
    /// Width of the feed-forward layer.
    pub intermediate_size: usize,
    /// Longest input in tokens.
    pub max_position_embeddings: usize,
    /// Epsilon of the layer norms.
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f64,
}

fn default_eps() -> f64 {
    1e-12
}

/// How the dense layers' products are computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    /// 32-bit floats throughout.
    F32,
    /// Weights as signed bytes with a scale per output, each token's inputs
    /// as unsigned bytes with a scale and zero point per token, products
    /// summed in 32-bit integers (VNNI instructions where the CPU has them).
    Int8,
}

/// A dense layer's weight, transposed (`inputs × outputs`) and packed for the product.
enum Weight {
    F32(PackedBMatrix<f32>),
    Int8 {
        packed: PackedBMatrix<i8>,
        scales: Vec<f32>,
        /// Per output column, the sum of its quantised weights (the zero points' correction).
        sums: Vec<i32>,
    },
}

/// A dense layer `x · Wᵀ + b`.
struct Dense {
    weight: Weight,
    bias: Vec<f32>,
    inputs: usize,
    outputs: usize,
}

/// A layer norm's scale and shift.
struct Norm {
    weight: Vec<f32>,
    bias: Vec<f32>,
    eps: f32,
}

/// One transformer layer: self-attention (query, key and value as one product) and feed-forward.
struct Layer {
    qkv: Dense,
    attention_out: Dense,
    attention_norm: Norm,
    up: Dense,
    down: Dense,
    output_norm: Norm,
}

/// The working buffers of one batch, kept between batches so that each does
/// not fault in fresh pages (4% of the encoder's time in a profile).
#[derive(Default)]
struct Scratch {
    x: Vec<f32>,
    qkv: Vec<f32>,
    context: Vec<f32>,
    attended: Vec<f32>,
    wide: Vec<f32>,
    bytes: Quantised,
}

/// A batch's inputs to one product as bytes (int8 precision): values, and per token a scale and zero point.
#[derive(Default)]
struct Quantised {
    values: Vec<u8>,
    scales: Vec<f32>,
    zeros: Vec<u8>,
    sums: Vec<i32>,
}

/// Empties `v` and gives it `len` zeros, keeping its allocation.
fn sized(v: &mut Vec<f32>, len: usize) -> &mut Vec<f32> {
    v.clear();
    v.resize(len, 0.0);
    v
}

/// The weights of a BERT encoder in memory, ready to encode token ids.
pub struct PackedBert {
    scratch: std::sync::Mutex<Vec<Scratch>>,
    shape: Shape,
    word: Vec<f32>,
    vocab: usize,
    position: Vec<f32>,
    token_type: Vec<f32>,
    embedding_norm: Norm,
    layers: Vec<Layer>,
}

/// Reads one tensor as f32, under its name or with the `bert.` prefix some checkpoints use.
fn tensor(st: &MmapedSafetensors, name: &str) -> candle_core::Result<(Vec<f32>, Vec<usize>)> {
    let t = match st.load(name, &Device::Cpu) {
        Ok(t) => t,
        Err(_) => st.load(&format!("bert.{name}"), &Device::Cpu)?,
    };
    let dims = t.dims().to_vec();
    let v = t.to_dtype(DType::F32)?.flatten_all()?.to_vec1::<f32>()?;
    Ok((v, dims))
}

fn expect(name: &str, dims: &[usize], want: &[usize]) -> candle_core::Result<()> {
    if dims == want {
        Ok(())
    } else {
        Err(candle_core::Error::Msg(format!(
            "tensor {name} has shape {dims:?}, the config asks {want:?}"
        )))
    }
}

fn vector(st: &MmapedSafetensors, name: &str, len: usize) -> candle_core::Result<Vec<f32>> {
    let (v, dims) = tensor(st, name)?;
    expect(name, &dims, &[len])?;
    Ok(v)
}

fn norm(st: &MmapedSafetensors, prefix: &str, width: usize, eps: f32) -> candle_core::Result<Norm> {
    Ok(Norm {
        weight: vector(st, &format!("{prefix}.weight"), width)?,
        bias: vector(st, &format!("{prefix}.bias"), width)?,
        eps,
    })
}

impl Dense {
    /// A dense layer from its transposed weight (`inputs × outputs`, row-major) and bias.
    fn new(
        weight_t: &[f32],
        bias: Vec<f32>,
        inputs: usize,
        outputs: usize,
        precision: Precision,
    ) -> Dense {
        let weight = match precision {
            Precision::F32 => Weight::F32(
                GemmExecutor::<f32>::default()
                    .prepack_b(NdTensorView::from_data([inputs, outputs], weight_t)),
            ),
            Precision::Int8 => {
                // Symmetric, one scale per output column.
                let mut scales = vec![0f32; outputs];
                for row in weight_t.chunks_exact(outputs) {
                    for (m, w) in scales.iter_mut().zip(row) {
                        *m = m.max(w.abs());
                    }
                }
                scales
                    .iter_mut()
                    .for_each(|m| *m = if *m > 0.0 { *m / 127.0 } else { 1.0 });
                let q: Vec<i8> = weight_t
                    .iter()
                    .enumerate()
                    .map(|(i, w)| (w / scales[i % outputs]).round().clamp(-127.0, 127.0) as i8)
                    .collect();
                let mut sums = vec![0i32; outputs];
                for (i, &v) in q.iter().enumerate() {
                    sums[i % outputs] += i32::from(v);
                }
                let packed = GemmExecutor::<u8, i8, i32>::default()
                    .prepack_b(NdTensorView::from_data([inputs, outputs], &q[..]));
                Weight::Int8 {
                    packed,
                    scales,
                    sums,
                }
            }
        };
        Dense {
            weight,
            bias,
            inputs,
            outputs,
        }
    }
}

/// Stacks the `outputs × inputs` weights of `names` (side by side in the output) into one dense layer.
fn dense(
    st: &MmapedSafetensors,
    precision: Precision,
    names: &[String],
    inputs: usize,
    outputs_each: usize,
) -> candle_core::Result<Dense> {
    let outputs = outputs_each * names.len();
    let mut weight_t = vec![0f32; inputs * outputs];
    let mut bias = Vec::with_capacity(outputs);
    for (part, name) in names.iter().enumerate() {
        let (w, dims) = tensor(st, &format!("{name}.weight"))?;
        expect(name, &dims, &[outputs_each, inputs])?;
        for o in 0..outputs_each {
            for i in 0..inputs {
                weight_t[i * outputs + part * outputs_each + o] = w[o * inputs + i];
            }
        }
        bias.extend(vector(st, &format!("{name}.bias"), outputs_each)?);
    }
    Ok(Dense::new(&weight_t, bias, inputs, outputs, precision))
}

impl PackedBert {
    /// Loads the encoder's weights (HuggingFace BERT names) from a safetensors file.
    pub fn load(
        weights: &std::path::Path,
        shape: Shape,
        precision: Precision,
    ) -> candle_core::Result<Self> {
        // SAFETY: the file is memory-mapped read-only and not modified while mapped.
        let st = unsafe { MmapedSafetensors::new(weights)? };
        let h = shape.hidden_size;
        if shape.num_attention_heads == 0 || !h.is_multiple_of(shape.num_attention_heads) {
            return Err(candle_core::Error::Msg(format!(
                "{} attention heads do not divide the width {h}",
                shape.num_attention_heads
            )));
        }
        let eps = shape.layer_norm_eps as f32;
        let (word, dims) = tensor(&st, "embeddings.word_embeddings.weight")?;
        if dims.len() != 2 || dims[1] != h {
            return Err(candle_core::Error::Msg(format!(
                "word embeddings have shape {dims:?}, width {h} expected"
            )));
        }
        let vocab = dims[0];
        let (position, dims) = tensor(&st, "embeddings.position_embeddings.weight")?;
        expect(
            "position embeddings",
            &dims,
            &[shape.max_position_embeddings, h],
        )?;
        let (token_type, dims) = tensor(&st, "embeddings.token_type_embeddings.weight")?;
        if dims.len() != 2 || dims[1] != h || dims[0] == 0 {
            return Err(candle_core::Error::Msg(format!(
                "token type embeddings have shape {dims:?}"
            )));
        }
        let embedding_norm = norm(&st, "embeddings.LayerNorm", h, eps)?;
        let mut layers = Vec::with_capacity(shape.num_hidden_layers);
        for l in 0..shape.num_hidden_layers {
            let p = format!("encoder.layer.{l}");
            let attention = |s: &str| format!("{p}.attention.self.{s}");
            layers.push(Layer {
                qkv: dense(
                    &st,
                    precision,
                    &[attention("query"), attention("key"), attention("value")],
                    h,
                    h,
                )?,
                attention_out: dense(
                    &st,
                    precision,
                    &[format!("{p}.attention.output.dense")],
                    h,
                    h,
                )?,
                attention_norm: norm(&st, &format!("{p}.attention.output.LayerNorm"), h, eps)?,
                up: dense(
                    &st,
                    precision,
                    &[format!("{p}.intermediate.dense")],
                    h,
                    shape.intermediate_size,
                )?,
                down: dense(
                    &st,
                    precision,
                    &[format!("{p}.output.dense")],
                    shape.intermediate_size,
                    h,
                )?,
                output_norm: norm(&st, &format!("{p}.output.LayerNorm"), h, eps)?,
            });
        }
        Ok(PackedBert {
            scratch: Default::default(),
            shape,
            word,
            vocab,
            position,
            token_type,
            embedding_norm,
            layers,
        })
    }

    /// Longest sentence, in tokens, that [`PackedBert::encode`] accepts.
    pub fn max_tokens(&self) -> usize {
        self.shape.max_position_embeddings
    }

    /// Mean-pooled, L2-normalised vectors of the given token-id sequences, in order.
    ///
    /// An empty sequence gives a zero vector; ids beyond the vocabulary are
    /// read as id 0 and sequences are cut to [`PackedBert::max_tokens`].
    pub fn encode(&self, sentences: &[&[u32]]) -> Vec<Vec<f32>> {
        let h = self.shape.hidden_size;
        let max = self.max_tokens();
        let lens: Vec<usize> = sentences.iter().map(|s| s.len().min(max)).collect();
        let total: usize = lens.iter().sum();
        let mut starts = Vec::with_capacity(lens.len());
        let mut at = 0;
        for &l in &lens {
            starts.push(at);
            at += l;
        }
        let mut scratch = {
            let mut pool = self.scratch.lock().unwrap_or_else(|e| e.into_inner());
            pool.pop().unwrap_or_default()
        };
        let Scratch {
            x,
            qkv,
            context,
            attended,
            wide,
            bytes,
        } = &mut scratch;
        // Embeddings: word + position + token type 0, then the layer norm.
        let x = sized(x, total * h);
        let rows: Vec<(usize, u32)> = sentences
            .iter()
            .zip(&lens)
            .flat_map(|(s, &l)| s[..l].iter().copied().enumerate())
            .collect();
        x.par_chunks_mut(h)
            .zip(rows.par_iter())
            .for_each(|(row, &(pos, id))| {
                let id = if (id as usize) < self.vocab {
                    id as usize
                } else {
                    0
                };
                let w = &self.word[id * h..(id + 1) * h];
                let p = &self.position[pos * h..(pos + 1) * h];
                let t = &self.token_type[..h];
                for i in 0..h {
                    row[i] = w[i] + p[i] + t[i];
                }
                layer_norm(row, &self.embedding_norm);
            });
        let qkv = sized(qkv, total * 3 * h);
        let context = sized(context, total * h);
        let attended = sized(attended, total * h);
        let wide = sized(wide, total * self.shape.intermediate_size);
        // Not kept in `self`: the executors are neither Send nor Sync, and cost
        // a CPU feature check to make; the packed weights fit any executor of this CPU.
        let gemm = Executors::default();
        for layer in &self.layers {
            project(&gemm, x, &layer.qkv, None, qkv, bytes);
            self.attend(qkv, &lens, &starts, context);
            project(
                &gemm,
                context,
                &layer.attention_out,
                Some(x),
                attended,
                bytes,
            );
            attended
                .par_chunks_mut(h)
                .for_each(|row| layer_norm(row, &layer.attention_norm));
            project(&gemm, attended, &layer.up, None, wide, bytes);
            wide.par_chunks_mut(4096).for_each(gelu);
            project(&gemm, wide, &layer.down, Some(attended), x, bytes);
            x.par_chunks_mut(h)
                .for_each(|row| layer_norm(row, &layer.output_norm));
        }
        let vectors = lens
            .iter()
            .zip(&starts)
            .map(|(&l, &s)| {
                let mut v = vec![0f32; h];
                for row in x[s * h..(s + l) * h].chunks_exact(h) {
                    for (a, b) in v.iter_mut().zip(row) {
                        *a += b;
                    }
                }
                let n = v.iter().map(|a| a * a).sum::<f32>().sqrt();
                if n > 0.0 {
                    v.iter_mut().for_each(|a| *a /= n);
                }
                v
            })
            .collect();
        self.scratch
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(scratch);
        vectors
    }

    /// Self-attention of each sentence over its own tokens, heads side by side in `out`.
    fn attend(&self, qkv: &[f32], lens: &[usize], starts: &[usize], out: &mut [f32]) {
        let h = self.shape.hidden_size;
        let heads = self.shape.num_attention_heads;
        let dh = h / heads;
        let scale = 1.0 / (dh as f32).sqrt();
        let mut pieces: Vec<(&mut [f32], usize, usize)> = Vec::with_capacity(lens.len());
        let mut rest = out;
        for (&l, &s) in lens.iter().zip(starts) {
            let (piece, tail) = rest.split_at_mut(l * h);
            pieces.push((piece, s, l));
            rest = tail;
        }
        pieces.into_par_iter().for_each(|(out, start, len)| {
            let rows = &qkv[start * 3 * h..(start + len) * 3 * h];
            attend_sentence(rows, out, h, heads, scale);
        });
    }
}

/// Self-attention of one sentence: `rows` holds its tokens' query, key and
/// value vectors side by side (`3 × width` a token), `out` receives the
/// context vectors; per head, two small matrix products read straight from
/// the strided rows, and a softmax between them.
fn attend_sentence(rows: &[f32], out: &mut [f32], h: usize, heads: usize, scale: f32) {
    let len = rows.len() / (3 * h);
    if len == 0 {
        return;
    }
    let dh = h / heads;
    let stride = (3 * h) as isize;
    let mut scores = vec![0f32; len * len];
    for head in 0..heads {
        let at = head * dh;
        // SAFETY: the query block is rows[i·3h + at ..][..dh] and the key
        // block rows[j·3h + h + at ..][..dh] for i, j < len, all inside `rows`
        // (len·3h long, at + dh ≤ h); `scores` is len × len.
        unsafe {
            gemm::gemm(
                len,
                len,
                dh,
                scores.as_mut_ptr(),
                1,
                len as isize,
                false,
                rows.as_ptr().add(at),
                1,
                stride,
                rows.as_ptr().add(h + at),
                stride,
                1,
                0.0,
                scale,
                false,
                false,
                false,
                gemm::Parallelism::None,
            );
        }
        scores.chunks_exact_mut(len).for_each(softmax);
        // SAFETY: the value block is rows[j·3h + 2h + at ..][..dh] for j < len,
        // inside `rows`; the output block out[i·h + at ..][..dh] for i < len,
        // inside `out` (len·h long).
        unsafe {
            gemm::gemm(
                len,
                dh,
                len,
                out.as_mut_ptr().add(at),
                1,
                h as isize,
                false,
                scores.as_ptr(),
                1,
                len as isize,
                rows.as_ptr().add(2 * h + at),
                1,
                stride,
                0.0,
                1.0,
                false,
                false,
                false,
                gemm::Parallelism::None,
            );
        }
    }
}

/// The matrix-product executors of one batch.
#[derive(Default)]
struct Executors {
    f32: GemmExecutor<f32>,
    int8: GemmExecutor<u8, i8, i32>,
}

/// `out = x · Wᵀ + b (+ residual)`, one matrix product over every token of the batch.
fn project(
    gemm: &Executors,
    x: &[f32],
    d: &Dense,
    residual: Option<&[f32]>,
    out: &mut [f32],
    bytes: &mut Quantised,
) {
    let rows = x.len() / d.inputs;
    let add_bias = |r: usize, row: &mut [f32]| {
        for (a, b) in row.iter_mut().zip(&d.bias) {
            *a += b;
        }
        if let Some(res) = residual {
            for (a, b) in row.iter_mut().zip(&res[r * d.outputs..(r + 1) * d.outputs]) {
                *a += b;
            }
        }
    };
    if rows == 0 {
        return;
    }
    let expect = "the shapes of the batch and the weights agree by construction";
    match &d.weight {
        Weight::F32(packed) => {
            out.par_chunks_mut(d.outputs)
                .enumerate()
                .for_each(|(r, row)| {
                    row.fill(0.0);
                    add_bias(r, row);
                });
            gemm.f32
                .gemm(
                    out,
                    GemmInputA::Unpacked(NdTensorView::from_data([rows, d.inputs], x)),
                    GemmInputB::Packed(packed),
                    GemmOptions {
                        beta: 1.0,
                        ..Default::default()
                    },
                )
                .expect(expect);
        }
        Weight::Int8 {
            packed,
            scales,
            sums: col_sums,
        } => {
            let Quantised {
                values,
                scales: row_scales,
                zeros,
                sums,
            } = bytes;
            values.clear();
            values.resize(x.len(), 0);
            row_scales.clear();
            row_scales.resize(rows, 0.0);
            zeros.clear();
            zeros.resize(rows, 0);
            values
                .par_chunks_mut(d.inputs)
                .zip(x.par_chunks(d.inputs))
                .zip(row_scales.par_iter_mut().zip(zeros.par_iter_mut()))
                .for_each(|((q, row), (scale, zero))| quantise_row(row, q, scale, zero));
            sums.clear();
            sums.resize(rows * d.outputs, 0);
            gemm.int8
                .gemm(
                    sums,
                    GemmInputA::Unpacked(NdTensorView::from_data([rows, d.inputs], &values[..])),
                    GemmInputB::Packed(packed),
                    // The zero points are subtracted below: rten-gemm 0.27's own
                    // per-row zero points gave wrong sums on some rows here.
                    GemmOptions::default(),
                )
                .expect(expect);
            out.par_chunks_mut(d.outputs)
                .zip(sums.par_chunks(d.outputs))
                .enumerate()
                .for_each(|(r, (row, acc))| {
                    let rs = row_scales[r];
                    let z = i32::from(zeros[r]);
                    for (((o, &a), &c), &cs) in row.iter_mut().zip(acc).zip(scales).zip(col_sums) {
                        *o = (a - z * cs) as f32 * rs * c;
                    }
                    add_bias(r, row);
                });
        }
    }
}

/// One token's inputs as unsigned bytes: `x ≈ scale · (q − zero)`, the range widened to hold 0.
fn quantise_row(row: &[f32], q: &mut [u8], scale: &mut f32, zero: &mut u8) {
    let (lo, hi) = row
        .iter()
        .fold((0f32, 0f32), |(lo, hi), &v| (lo.min(v), hi.max(v)));
    let s = if hi > lo { (hi - lo) / 255.0 } else { 1.0 };
    let z = (-lo / s).round().clamp(0.0, 255.0);
    let inv = 1.0 / s;
    // Clamped first, the value is never negative, so adding a half and truncating is rounding
    // half away from zero, as `f32::round` does; unlike it (a libm call per element without
    // SSE4.1), it vectorises.
    for (o, &v) in q.iter_mut().zip(row) {
        *o = ((v * inv + z).clamp(0.0, 255.0) + 0.5) as u8;
    }
    *scale = s;
    *zero = z as u8;
}

/// Dot product in eight lanes, so that the compiler can vectorise it.
#[inline]
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ca, ra) = a.split_at(a.len() / 8 * 8);
    let (cb, rb) = b.split_at(ca.len());
    for (x, y) in ca.chunks_exact(8).zip(cb.chunks_exact(8)) {
        for i in 0..8 {
            acc[i] += x[i] * y[i];
        }
    }
    let mut s: f32 = acc.iter().sum();
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// Sum in eight lanes, so that the compiler can vectorise it.
#[inline]
fn lane_sum(a: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (c, r) = a.split_at(a.len() / 8 * 8);
    for x in c.chunks_exact(8) {
        for i in 0..8 {
            acc[i] += x[i];
        }
    }
    acc.iter().sum::<f32>() + r.iter().sum::<f32>()
}

/// Normalises one row to zero mean and unit variance, then scales and shifts it.
fn layer_norm(row: &mut [f32], n: &Norm) {
    let len = row.len() as f32;
    let mean = lane_sum(row) / len;
    row.iter_mut().for_each(|a| *a -= mean);
    let var = dot(row, row) / len;
    let inv = 1.0 / (var + n.eps).sqrt();
    for ((a, w), b) in row.iter_mut().zip(&n.weight).zip(&n.bias) {
        *a = *a * inv * w + b;
    }
}

/// Softmax of one row in place.
fn softmax(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    row.iter_mut().for_each(|a| *a = exp(*a - max));
    let inv = 1.0 / lane_sum(row);
    row.iter_mut().for_each(|a| *a *= inv);
}

/// GELU with the exact (erf) form, in place; sixteen or eight lanes at a
/// time where the CPU has AVX-512 or AVX2.
fn gelu(xs: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: the CPU has the features this copy was compiled for.
        unsafe { gelu_avx512(xs) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has the features this copy was compiled for.
        unsafe { gelu_avx2(xs) };
        return;
    }
    gelu_portable(xs);
}

/// [`gelu_portable`] compiled for AVX-512.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
fn gelu_avx512(xs: &mut [f32]) {
    gelu_portable(xs);
}

/// [`gelu_portable`] compiled for AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn gelu_avx2(xs: &mut [f32]) {
    gelu_portable(xs);
}

#[inline(always)]
fn gelu_portable(xs: &mut [f32]) {
    xs.iter_mut()
        .for_each(|x| *x = 0.5 * *x * (1.0 + erf(*x * std::f32::consts::FRAC_1_SQRT_2)));
}

/// `e^x` to about 2 ulp: `x = n·ln 2 + r` with `|r| ≤ ln 2 / 2`, a degree-6
/// Taylor polynomial for `e^r` and `2^n` built in the exponent bits. Branch
/// free, so that loops over it vectorise (libm's `expf` does not).
#[inline(always)]
fn exp(x: f32) -> f32 {
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    // Adding and subtracting 1.5 · 2^23 rounds to the nearest integer without a call.
    const ROUND: f32 = 12_582_912.0;
    let x = x.clamp(-87.0, 88.0);
    let n = (x * std::f32::consts::LOG2_E + ROUND) - ROUND;
    let r = x - n * LN2_HI - n * LN2_LO;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0 + r * (1.0 / 720.0))))));
    f32::from_bits(((n as i32 + 127) as u32) << 23) * p
}

/// `erf(x)` to about 1.5e-7: formula 7.1.26 of Abramowitz and Stegun's
/// *Handbook of Mathematical Functions*, branch free (see [`exp`]).
#[inline(always)]
fn erf(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * a);
    let y = 1.0
        - t * (0.254_829_6
            + t * (-0.284_496_74 + t * (1.421_413_8 + t * (-1.453_152 + t * 1.061_405_4))))
            * exp(-a * a);
    y.copysign(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pseudo-random values in [-1, 1) (a linear congruential generator).
    fn noise(n: usize, seed: u64) -> Vec<f32> {
        let mut x = seed;
        (0..n)
            .map(|_| {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((x >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
            })
            .collect()
    }

    #[test]
    fn quantised_rows_round_half_away_from_zero_and_saturate() {
        // Ties and values past both ends, beside noise.
        let mut row = vec![-2.0f32, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0, f32::NAN];
        row.extend(noise(1000, 9).iter().map(|v| v * 3.0));
        let (mut q, mut scale, mut zero) = (vec![0u8; row.len()], 0f32, 0u8);
        quantise_row(&row, &mut q, &mut scale, &mut zero);
        let inv = 1.0 / scale;
        for (&v, &got) in row.iter().zip(&q) {
            let want = (v * inv + f32::from(zero)).round().clamp(0.0, 255.0) as u8;
            assert_eq!(got, want, "{v}");
        }
        assert_eq!(q[7], 0, "NaN is 0");
        // Exact ties: 0.5 and 1.5 steps above the zero point round up.
        let (mut q, mut s, mut z) = (vec![0u8; 3], 0f32, 0u8);
        quantise_row(&[0.0, 0.5, 255.0], &mut q, &mut s, &mut z);
        assert_eq!((s, z), (1.0, 0));
        assert_eq!(q, [0, 1, 255]);
    }

    #[test]
    fn the_int8_product_follows_the_f32_one() {
        let (rows, inputs, outputs) = (37, 96, 80);
        let w = noise(inputs * outputs, 1);
        let bias = noise(outputs, 2);
        let x: Vec<f32> = noise(rows * inputs, 3)
            .iter()
            .map(|v| v * 3.0 + 0.5)
            .collect();
        let residual = noise(rows * outputs, 4);
        let run = |precision| {
            let d = Dense::new(&w, bias.clone(), inputs, outputs, precision);
            let mut out = vec![0f32; rows * outputs];
            project(
                &Executors::default(),
                &x,
                &d,
                Some(&residual),
                &mut out,
                &mut Quantised::default(),
            );
            out
        };
        let exact: Vec<f32> = (0..rows * outputs)
            .map(|i| {
                let (r, c) = (i / outputs, i % outputs);
                (0..inputs)
                    .map(|k| x[r * inputs + k] * w[k * outputs + c])
                    .sum::<f32>()
                    + bias[c]
                    + residual[i]
            })
            .collect();
        let f32 = run(Precision::F32);
        let int8 = run(Precision::Int8);
        let worst = |got: &[f32]| {
            got.iter()
                .zip(&exact)
                .map(|(a, b)| (a - b).abs())
                .fold(0f32, f32::max)
        };
        let scale = exact.iter().map(|v| v.abs()).fold(0f32, f32::max);
        assert!(
            worst(&f32) < 1e-4 * scale,
            "f32: {} of {scale}",
            worst(&f32)
        );
        // The same product from the quantised values, in floats: what the int8 path must give.
        let d = Dense::new(&w, bias.clone(), inputs, outputs, Precision::Int8);
        let Weight::Int8 { scales, .. } = &d.weight else {
            unreachable!()
        };
        let mut q = vec![0u8; inputs];
        let rounded: Vec<f32> = (0..rows * outputs)
            .map(|i| {
                let (r, c) = (i / outputs, i % outputs);
                let (mut s, mut z) = (0.0, 0);
                quantise_row(&x[r * inputs..(r + 1) * inputs], &mut q, &mut s, &mut z);
                (0..inputs)
                    .map(|k| {
                        let wq = (w[k * outputs + c] / scales[c]).round();
                        (q[k] as f32 - z as f32) * s * wq * scales[c]
                    })
                    .sum::<f32>()
                    + bias[c]
                    + residual[i]
            })
            .collect();
        let off = int8
            .iter()
            .zip(&rounded)
            .map(|(a, b)| (a - b).abs())
            .fold(0f32, f32::max);
        for r in 0..rows {
            let (mut s, mut z) = (0.0, 0);
            quantise_row(&x[r * inputs..(r + 1) * inputs], &mut q, &mut s, &mut z);
            let e = (0..outputs)
                .map(|c| (int8[r * outputs + c] - rounded[r * outputs + c]).abs())
                .fold(0f32, f32::max);
            eprintln!("row {r} zero {z} scale {s} worst {e}");
        }
        eprintln!(
            "kernel {} saturates {}",
            Executors::default().int8.kernel_name(),
            Executors::default().int8.may_saturate()
        );
        assert!(
            off < 1e-3 * scale,
            "int8 against its own rounding: {off} of {scale}"
        );
        assert!(
            worst(&int8) < 0.03 * scale,
            "int8: {} of {scale}",
            worst(&int8)
        );
    }

    #[test]
    fn the_fast_exp_matches_the_standard_one() {
        let mut worst = 0f32;
        let mut x = -80.0f32;
        while x < 80.0 {
            let want = x.exp();
            worst = worst.max(((exp(x) - want) / want).abs());
            x += 0.0137;
        }
        assert!(worst < 1e-6, "relative error {worst}");
        assert_eq!(exp(-1000.0), exp(-87.0));
        assert!(exp(0.0) == 1.0);
    }

    #[test]
    fn the_fast_erf_matches_a_series() {
        // erf by its Taylor series in f64, exact enough for |x| <= 3.
        fn series(x: f64) -> f64 {
            let mut term = x;
            let mut sum = x;
            for n in 1..200 {
                term *= -x * x / n as f64;
                sum += term / (2 * n + 1) as f64;
            }
            sum * 2.0 / std::f64::consts::PI.sqrt()
        }
        let mut worst = 0f64;
        let mut x = -3.0f64;
        while x <= 3.0 {
            worst = worst.max((erf(x as f32) as f64 - series(x)).abs());
            x += 0.01;
        }
        assert!(worst < 5e-7, "absolute error {worst}");
        assert_eq!(erf(10.0), 1.0);
        assert_eq!(erf(-10.0), -1.0);
    }

    #[test]
    fn softmax_and_layer_norm_keep_their_definitions() {
        let mut row = vec![1.0, 2.0, 3.0, -50.0, 0.5, 0.25, 7.0, 1.0, 2.0];
        let want: Vec<f32> = {
            let m = 7.0f32;
            let e: Vec<f32> = row.iter().map(|a: &f32| (a - m).exp()).collect();
            let s: f32 = e.iter().sum();
            e.iter().map(|a| a / s).collect()
        };
        softmax(&mut row);
        for (a, b) in row.iter().zip(&want) {
            assert!((a - b).abs() < 1e-6);
        }
        let mut row: Vec<f32> = (0..20).map(|i| i as f32 * 0.7 - 3.0).collect();
        let n = Norm {
            weight: vec![2.0; 20],
            bias: vec![1.0; 20],
            eps: 1e-12,
        };
        layer_norm(&mut row, &n);
        let mean = row.iter().sum::<f32>() / 20.0;
        let var = row.iter().map(|a| (a - mean) * (a - mean)).sum::<f32>() / 20.0;
        assert!((mean - 1.0).abs() < 1e-5, "{mean}");
        assert!((var - 4.0).abs() < 1e-4, "{var}");
    }
}
