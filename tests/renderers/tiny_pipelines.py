"""Tiny, randomly initialised Stable Diffusion + depth ControlNet pipelines, built in code.

The tests never see real weights (no network, no model cache), yet they must run the real
diffusers code paths: the same pipeline classes, the same local-directory loading, the same
callbacks. So every component here has the real class with a toy size (a few thousand
parameters), and `save_tiny_pipeline` writes them to disk in the layout `load_pipeline` expects.
"""

import os

import torch
from diffusers import (
    AutoencoderKL,
    ControlNetModel,
    DDIMScheduler,
    StableDiffusionControlNetPipeline,
    StableDiffusionPipeline,
    UNet2DConditionModel,
)
from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

MAX_LENGTH = 77  # CLIP's context length; the pipelines pad and truncate prompts to it
CROSS_ATTENTION_DIM = 32


def _byte_symbols():
    """GPT-2/CLIP's printable stand-in for each of the 256 bytes (byte-level BPE's base alphabet)."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    codes, extra = printable[:], 0
    for byte in range(256):
        if byte not in printable:
            codes.append(256 + extra)
            extra += 1
    return [chr(code) for code in codes]


def tiny_tokenizer():
    """A CLIP tokenizer over single bytes (no merges): every prompt tokenizes, nothing is unknown.

    Built from an in-memory vocab, never from_pretrained: without the hub, from_pretrained on a
    missing tokenizer silently gives a 2-token tokenizer with a 1e30 model_max_length, and every
    prompt then encodes to garbage without any error. Hence the assertions.
    """
    symbols = _byte_symbols()
    vocab = {symbol: index for index, symbol in enumerate(symbols)}
    vocab.update({symbol + "</w>": len(symbols) + index for index, symbol in enumerate(symbols)})
    vocab["<|startoftext|>"] = len(vocab)
    vocab["<|endoftext|>"] = len(vocab)
    tokenizer = CLIPTokenizer(vocab=vocab, merges=[], model_max_length=MAX_LENGTH)
    assert len(tokenizer) == 2 * 256 + 2, len(tokenizer)
    assert tokenizer.model_max_length == MAX_LENGTH, tokenizer.model_max_length
    return tokenizer


def tiny_components(seed=0):
    """The components of a tiny SD-1.5-shaped pipeline and its depth ControlNet (deterministic)."""
    torch.manual_seed(seed)
    # Two UNet levels, and a two-level VAE: latents are half the image size (SD's are an eighth).
    unet = UNet2DConditionModel(
        block_out_channels=(4, 8),
        layers_per_block=1,
        sample_size=32,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=CROSS_ATTENTION_DIM,
        attention_head_dim=2,
        norm_num_groups=1,
    )
    torch.manual_seed(seed + 1)
    controlnet = ControlNetModel(
        block_out_channels=(4, 8),
        layers_per_block=1,
        in_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        cross_attention_dim=CROSS_ATTENTION_DIM,
        attention_head_dim=2,
        # One stride-2 stage: the control image is brought down to the (half-size) latents.
        conditioning_embedding_out_channels=(8, 16),
        norm_num_groups=1,
    )
    torch.manual_seed(seed + 2)
    vae = AutoencoderKL(
        block_out_channels=(4, 8),
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D", "DownEncoderBlock2D"),
        up_block_types=("UpDecoderBlock2D", "UpDecoderBlock2D"),
        latent_channels=4,
        layers_per_block=1,
        norm_num_groups=2,
        sample_size=64,
    )
    tokenizer = tiny_tokenizer()
    torch.manual_seed(seed + 3)
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(tokenizer),
            bos_token_id=tokenizer.bos_token_id,
            eos_token_id=tokenizer.eos_token_id,
            pad_token_id=tokenizer.pad_token_id,
            hidden_size=CROSS_ATTENTION_DIM,
            intermediate_size=37,
            num_attention_heads=4,
            num_hidden_layers=2,
            max_position_embeddings=MAX_LENGTH,
            layer_norm_eps=1e-5,
        )
    )
    scheduler = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", clip_sample=False, set_alpha_to_one=False, steps_offset=1)
    return {
        "unet": unet,
        "controlnet": controlnet,
        "vae": vae,
        "text_encoder": text_encoder,
        "tokenizer": tokenizer,
        "scheduler": scheduler,
        "safety_checker": None,
        "feature_extractor": None,
        "image_encoder": None,
    }


def tiny_pipeline(seed=0):
    """A StableDiffusionControlNetPipeline of tiny random models, on the CPU, in memory."""
    pipe = StableDiffusionControlNetPipeline(**tiny_components(seed), requires_safety_checker=False)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def save_tiny_pipeline(directory, *, controlnet_dir=None, seed=0):
    """Write a tiny pipeline as load_pipeline expects it; return (model_path, controlnet_path).

    The model directory is a plain diffusers StableDiffusionPipeline (model_index.json, unet/,
    vae/, text_encoder/, tokenizer/, scheduler/), as a downloaded SD 1.5 is; the depth ControlNet
    goes to `<directory>/controlnet/` unless `controlnet_dir` asks for a separate directory.
    controlnet_path is None in the first case: load_pipeline finds the subfolder itself.
    """
    components = tiny_components(seed)
    controlnet = components.pop("controlnet")
    base = StableDiffusionPipeline(**components, requires_safety_checker=False)
    base.save_pretrained(directory)
    target = controlnet_dir or os.path.join(directory, "controlnet")
    controlnet.save_pretrained(target)
    return str(directory), (str(controlnet_dir) if controlnet_dir else None)
