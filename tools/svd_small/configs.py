"""Configs of the small trained set, in diffusers' config.json form (the loader reads them; the nets take them)."""

UNET = {
    "_class_name": "UNetSpatioTemporalConditionModel",
    "addition_time_embed_dim": 32,
    "block_out_channels": [32, 32, 64, 64],
    "cross_attention_dim": 32,
    "down_block_types": ["CrossAttnDownBlockSpatioTemporal"] * 3 + ["DownBlockSpatioTemporal"],
    "in_channels": 8,
    "layers_per_block": 1,
    "norm_num_groups": 16,
    "num_attention_heads": [2, 2, 4, 4],
    "num_frames": 14,
    "out_channels": 4,
    "projection_class_embeddings_input_dim": 96,
    "sample_size": 8,
    "transformer_layers_per_block": 1,
    "up_block_types": ["UpBlockSpatioTemporal"] + ["CrossAttnUpBlockSpatioTemporal"] * 3,
}

VAE = {
    "_class_name": "AutoencoderKLTemporalDecoder",
    "block_out_channels": [32, 32, 64, 64],
    "in_channels": 3,
    "latent_channels": 4,
    "layers_per_block": 1,
    "norm_num_groups": 16,
    "out_channels": 3,
    "sample_size": 64,
    "scaling_factor": 0.18215,  # replaced by 1 / std of the trained encoder's latents
}

IMAGE_ENCODER = {
    "architectures": ["CLIPVisionModelWithProjection"],
    "hidden_act": "gelu",
    "hidden_size": 64,
    "image_size": 224,
    "intermediate_size": 128,
    "layer_norm_eps": 1e-05,
    "model_type": "clip_vision_model",
    "num_attention_heads": 4,
    "num_channels": 3,
    "num_hidden_layers": 2,
    "patch_size": 28,
    "projection_dim": 32,
}

SCHEDULER = {
    "_class_name": "EulerDiscreteScheduler",
    "beta_end": 0.012,
    "beta_schedule": "scaled_linear",
    "beta_start": 0.00085,
    "final_sigmas_type": "zero",
    "interpolation_type": "linear",
    "num_train_timesteps": 1000,
    "prediction_type": "v_prediction",
    "rescale_betas_zero_snr": False,
    "sigma_max": 700.0,
    "sigma_min": 0.002,
    "steps_offset": 1,
    "timestep_spacing": "leading",
    "timestep_type": "continuous",
    "trained_betas": None,
    "use_karras_sigmas": True,
}

PREPROCESSOR = {
    "crop_size": {"height": 224, "width": 224},
    "do_center_crop": True,
    "do_convert_rgb": True,
    "do_normalize": True,
    "do_rescale": True,
    "do_resize": True,
    "feature_extractor_type": "CLIPFeatureExtractor",
    "image_mean": [0.48145466, 0.4578275, 0.40821073],
    "image_processor_type": "CLIPImageProcessor",
    "image_std": [0.26862954, 0.26130258, 0.27577711],
    "resample": 3,
    "rescale_factor": 0.00392156862745098,
    "size": {"shortest_edge": 224},
}
