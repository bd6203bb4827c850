"""SVD's four networks at small widths, module for module as diffusers lays them out.

UNetSpatioTemporalConditionModel (spatio-temporal res blocks, spatial + temporal transformer blocks, sinusoidal
time and added-time embeddings), AutoencoderKLTemporalDecoder's encoder and temporal decoder, and a CLIP-style
vision encoder with projection. Attribute names follow diffusers / transformers so a state dict reads the same.
"""
import math

import torch
from torch import nn
import torch.nn.functional as F


def group_norm(channels, groups, eps):
    return nn.GroupNorm(min(groups, channels), channels, eps=eps)


def sinusoidal(t, dim, max_period=10000.0):
    """diffusers' get_timestep_embedding with flip_sin_to_cos=True, downscale_freq_shift=0: [cos, sin]."""
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t.float()[:, None] * freqs[None]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=-1)


class TimestepEmbedding(nn.Module):
    def __init__(self, in_dim, dim, out_dim=None):
        super().__init__()
        self.linear_1 = nn.Linear(in_dim, dim)
        self.linear_2 = nn.Linear(dim, out_dim or dim)

    def forward(self, x):
        return self.linear_2(F.silu(self.linear_1(x)))


class Attention(nn.Module):
    """Multi-head attention; with `groups` it is the VAE's self-attention over pixels with its own GroupNorm."""

    def __init__(self, dim, heads, head_dim, context_dim=None, bias=False, groups=None, eps=1e-6):
        super().__init__()
        inner = heads * head_dim
        self.heads, self.scale = heads, head_dim ** -0.5
        self.group_norm = group_norm(dim, groups, eps) if groups else None
        self.to_q = nn.Linear(dim, inner, bias=bias)
        self.to_k = nn.Linear(context_dim or dim, inner, bias=bias)
        self.to_v = nn.Linear(context_dim or dim, inner, bias=bias)
        self.to_out = nn.ModuleList([nn.Linear(inner, dim), nn.Dropout(0.0)])

    def attend(self, x, context):
        b, n, _ = x.shape
        q, k, v = self.to_q(x), self.to_k(context), self.to_v(context)
        split = lambda t: t.reshape(b, t.shape[1], self.heads, -1).transpose(1, 2)
        q, k, v = split(q), split(k), split(v)
        w = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * self.scale, dim=-1)
        out = torch.matmul(w, v).transpose(1, 2).reshape(b, n, -1)
        return self.to_out[1](self.to_out[0](out))

    def forward(self, x, context=None):
        if self.group_norm is None:
            return self.attend(x, x if context is None else context)
        # VAE mid-block attention: image in, residual connection.
        b, c, h, w = x.shape
        y = self.group_norm(x).reshape(b, c, h * w).transpose(1, 2)
        y = self.attend(y, y).transpose(1, 2).reshape(b, c, h, w)
        return x + y


class GEGLU(nn.Module):
    def __init__(self, dim, inner):
        super().__init__()
        self.proj = nn.Linear(dim, inner * 2)

    def forward(self, x):
        h, gate = self.proj(x).chunk(2, dim=-1)
        return h * F.gelu(gate)


class FeedForward(nn.Module):
    def __init__(self, dim, dim_out=None, mult=4):
        super().__init__()
        inner = dim * mult
        self.net = nn.ModuleList([GEGLU(dim, inner), nn.Dropout(0.0), nn.Linear(inner, dim_out or dim)])

    def forward(self, x):
        for m in self.net:
            x = m(x)
        return x


class BasicTransformerBlock(nn.Module):
    def __init__(self, dim, heads, head_dim, context_dim):
        super().__init__()
        self.norm1 = nn.LayerNorm(dim)
        self.attn1 = Attention(dim, heads, head_dim)
        self.norm2 = nn.LayerNorm(dim)
        self.attn2 = Attention(dim, heads, head_dim, context_dim)
        self.norm3 = nn.LayerNorm(dim)
        self.ff = FeedForward(dim)

    def forward(self, x, context):
        x = self.attn1(self.norm1(x)) + x
        x = self.attn2(self.norm2(x), context) + x
        return self.ff(self.norm3(x)) + x


class TemporalBasicTransformerBlock(nn.Module):
    """Attention along frames, one sequence per pixel."""

    def __init__(self, dim, heads, head_dim, context_dim):
        super().__init__()
        self.norm_in = nn.LayerNorm(dim)
        self.ff_in = FeedForward(dim, dim)
        self.norm1 = nn.LayerNorm(dim)
        self.attn1 = Attention(dim, heads, head_dim)
        self.norm2 = nn.LayerNorm(dim)
        self.attn2 = Attention(dim, heads, head_dim, context_dim)
        self.norm3 = nn.LayerNorm(dim)
        self.ff = FeedForward(dim)

    def forward(self, x, num_frames, context):
        bf, seq, ch = x.shape
        b = bf // num_frames
        x = x[None].reshape(b, num_frames, seq, ch).permute(0, 2, 1, 3).reshape(b * seq, num_frames, ch)
        x = self.ff_in(self.norm_in(x)) + x
        x = self.attn1(self.norm1(x)) + x
        x = self.attn2(self.norm2(x), context) + x
        x = self.ff(self.norm3(x)) + x
        return x[None].reshape(b, seq, num_frames, ch).permute(0, 2, 1, 3).reshape(b * num_frames, seq, ch)


class AlphaBlender(nn.Module):
    """Learned mix of the spatial and the temporal path (frames flagged image-only keep the spatial one)."""

    def __init__(self, alpha, with_images, switch):
        super().__init__()
        self.with_images, self.switch = with_images, switch
        self.mix_factor = nn.Parameter(torch.tensor([alpha]))

    def forward(self, spatial, temporal, image_only_indicator):
        alpha = torch.sigmoid(self.mix_factor)
        if self.with_images:
            alpha = torch.where(image_only_indicator.bool(), torch.ones(1, 1, device=alpha.device), alpha[..., None])
            alpha = alpha[:, None, :, None, None] if spatial.ndim == 5 else alpha.reshape(-1)[:, None, None]
        if self.switch:
            alpha = 1.0 - alpha
        return alpha * spatial + (1.0 - alpha) * temporal


class ResnetBlock2D(nn.Module):
    def __init__(self, cin, cout, temb, groups, eps):
        super().__init__()
        self.norm1 = group_norm(cin, groups, eps)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb, cout) if temb else None
        self.norm2 = group_norm(cout, groups, eps)
        self.dropout = nn.Dropout(0.0)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb=None):
        h = self.conv1(F.silu(self.norm1(x)))
        if self.time_emb_proj is not None:
            h = h + self.time_emb_proj(F.silu(temb))[:, :, None, None]
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        return (x if self.conv_shortcut is None else self.conv_shortcut(x)) + h


class TemporalResnetBlock(nn.Module):
    def __init__(self, c, temb, groups, eps):
        super().__init__()
        self.norm1 = group_norm(c, groups, eps)
        self.conv1 = nn.Conv3d(c, c, (3, 1, 1), padding=(1, 0, 0))
        self.time_emb_proj = nn.Linear(temb, c) if temb else None
        self.norm2 = group_norm(c, groups, eps)
        self.dropout = nn.Dropout(0.0)
        self.conv2 = nn.Conv3d(c, c, (3, 1, 1), padding=(1, 0, 0))

    def forward(self, x, temb=None):  # x: (batch, channels, frames, h, w)
        h = self.conv1(F.silu(self.norm1(x)))
        if self.time_emb_proj is not None:
            h = h + self.time_emb_proj(F.silu(temb))[:, :, :, None, None].permute(0, 2, 1, 3, 4)
        h = self.conv2(self.dropout(F.silu(self.norm2(h))))
        return x + h


class SpatioTemporalResBlock(nn.Module):
    def __init__(self, cin, cout, temb, groups, eps=1e-6, temporal_eps=None, merge_factor=0.5, with_images=True):
        super().__init__()
        self.spatial_res_block = ResnetBlock2D(cin, cout, temb, groups, eps)
        self.temporal_res_block = TemporalResnetBlock(cout, temb, groups, temporal_eps or eps)
        self.time_mixer = AlphaBlender(merge_factor, with_images, switch=True)

    def forward(self, x, temb, image_only_indicator):
        num_frames = image_only_indicator.shape[-1]
        x = self.spatial_res_block(x, temb)
        bf, c, h, w = x.shape
        b = bf // num_frames
        mix = x[None].reshape(b, num_frames, c, h, w).permute(0, 2, 1, 3, 4)
        t = None if temb is None else temb.reshape(b, num_frames, -1)
        x = self.temporal_res_block(mix, t)
        x = self.time_mixer(mix, x, image_only_indicator)
        return x.permute(0, 2, 1, 3, 4).reshape(bf, c, h, w)


class TransformerSpatioTemporalModel(nn.Module):
    def __init__(self, heads, head_dim, channels, context_dim, groups, layers=1):
        super().__init__()
        inner = heads * head_dim
        self.norm = group_norm(channels, groups, 1e-6)
        self.proj_in = nn.Linear(channels, inner)
        self.transformer_blocks = nn.ModuleList([BasicTransformerBlock(inner, heads, head_dim, context_dim) for _ in range(layers)])
        self.temporal_transformer_blocks = nn.ModuleList(
            [TemporalBasicTransformerBlock(inner, heads, head_dim, context_dim) for _ in range(layers)])
        self.time_pos_embed = TimestepEmbedding(channels, channels * 4, channels)
        self.time_mixer = AlphaBlender(0.5, True, switch=False)
        self.proj_out = nn.Linear(inner, channels)
        self.channels = channels

    def forward(self, x, context, image_only_indicator):
        bf, _, h, w = x.shape
        num_frames = image_only_indicator.shape[-1]
        b = bf // num_frames
        first = context[None].reshape(b, num_frames, -1, context.shape[-1])[:, 0]
        time_context = first[:, None].expand(b, h * w, first.shape[1], first.shape[2]).reshape(b * h * w, first.shape[1], -1)
        residual = x
        x = self.norm(x)
        inner = x.shape[1]
        x = self.proj_in(x.permute(0, 2, 3, 1).reshape(bf, h * w, inner))
        frame_ids = torch.arange(num_frames, device=x.device).repeat(b, 1).reshape(-1)
        emb = self.time_pos_embed(sinusoidal(frame_ids, self.channels))[:, None, :]
        for block, temporal in zip(self.transformer_blocks, self.temporal_transformer_blocks):
            x = block(x, context)
            mix = temporal(x + emb, num_frames, time_context)
            x = self.time_mixer(x, mix, image_only_indicator)
        x = self.proj_out(x).reshape(bf, h, w, -1).permute(0, 3, 1, 2)
        return x + residual


class Downsample2D(nn.Module):
    def __init__(self, c, padding):
        super().__init__()
        self.padding = padding
        self.conv = nn.Conv2d(c, c, 3, stride=2, padding=padding)

    def forward(self, x):
        if self.padding == 0:
            x = F.pad(x, (0, 1, 0, 1))
        return self.conv(x)


class Upsample2D(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv = nn.Conv2d(c, c, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class UNetBlock(nn.Module):
    """Cross-attention down/up block (CrossAttn*BlockSpatioTemporal) or plain one (*BlockSpatioTemporal)."""

    def __init__(self, resnets, attentions, downsample=None, upsample=None):
        super().__init__()
        self.resnets = nn.ModuleList(resnets)
        self.attentions = nn.ModuleList(attentions) if attentions else None
        if downsample:
            self.downsamplers = nn.ModuleList([downsample])
        if upsample:
            self.upsamplers = nn.ModuleList([upsample])

    def down(self, x, temb, ctx, ioi):
        states = []
        for i, resnet in enumerate(self.resnets):
            x = resnet(x, temb, ioi)
            if self.attentions is not None:
                x = self.attentions[i](x, ctx, ioi)
            states.append(x)
        if hasattr(self, "downsamplers"):
            x = self.downsamplers[0](x)
            states.append(x)
        return x, states

    def up(self, x, skips, temb, ctx, ioi):
        for i, resnet in enumerate(self.resnets):
            x = resnet(torch.cat([x, skips.pop()], dim=1), temb, ioi)
            if self.attentions is not None:
                x = self.attentions[i](x, ctx, ioi)
        if hasattr(self, "upsamplers"):
            x = self.upsamplers[0](x)
        return x


class UNetSpatioTemporal(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        ch, heads, g = cfg["block_out_channels"], cfg["num_attention_heads"], cfg.get("norm_num_groups", 32)
        layers, ctx = cfg["layers_per_block"], cfg["cross_attention_dim"]
        temb = ch[0] * 4
        self.cfg = cfg
        self.conv_in = nn.Conv2d(cfg["in_channels"], ch[0], 3, padding=1)
        self.time_embedding = TimestepEmbedding(ch[0], temb)
        self.add_embedding = TimestepEmbedding(cfg["projection_class_embeddings_input_dim"], temb)
        transformer = lambda c, h: TransformerSpatioTemporalModel(h, c // h, c, ctx, g)
        res = lambda i, o, eps=1e-6: SpatioTemporalResBlock(i, o, temb, g, eps)
        self.down_blocks = nn.ModuleList()
        out = ch[0]
        for i, kind in enumerate(cfg["down_block_types"]):
            cin, out = out, ch[i]
            final = i == len(ch) - 1
            cross = kind.startswith("CrossAttn")
            self.down_blocks.append(UNetBlock(
                [res(cin if j == 0 else out, out) for j in range(layers)],
                [transformer(out, heads[i]) for _ in range(layers)] if cross else None,
                downsample=None if final else Downsample2D(out, 1)))
        self.mid_block = UNetBlock([res(ch[-1], ch[-1], 1e-5), res(ch[-1], ch[-1], 1e-5)], [transformer(ch[-1], heads[-1])])
        rev, rev_heads = list(reversed(ch)), list(reversed(heads))
        self.up_blocks = nn.ModuleList()
        out = rev[0]
        for i, kind in enumerate(cfg["up_block_types"]):
            prev, out = out, rev[i]
            cin = rev[min(i + 1, len(ch) - 1)]
            final = i == len(ch) - 1
            cross = kind.startswith("CrossAttn")
            n = layers + 1
            self.up_blocks.append(UNetBlock(
                [res((prev if j == 0 else out) + (cin if j == n - 1 else out), out) for j in range(n)],
                [transformer(out, rev_heads[i]) for _ in range(n)] if cross else None,
                upsample=None if final else Upsample2D(out)))
        self.conv_norm_out = group_norm(ch[0], g, 1e-5)
        self.conv_out = nn.Conv2d(ch[0], cfg["out_channels"], 3, padding=1)

    def forward(self, sample, timestep, encoder_hidden_states, added_time_ids):
        b, f = sample.shape[0], sample.shape[1]
        cfg = self.cfg
        t = timestep.reshape(-1).expand(b) if timestep.numel() == 1 else timestep.reshape(b)
        emb = self.time_embedding(sinusoidal(t, cfg["block_out_channels"][0]))
        time_embeds = sinusoidal(added_time_ids.flatten(), cfg["addition_time_embed_dim"]).reshape(b, -1)
        emb = emb + self.add_embedding(time_embeds)
        x = sample.flatten(0, 1)
        emb = emb.repeat_interleave(f, dim=0)
        ctx = encoder_hidden_states.repeat_interleave(f, dim=0)
        ioi = torch.zeros(b, f, dtype=sample.dtype, device=sample.device)
        x = self.conv_in(x)
        skips = [x]
        for block in self.down_blocks:
            x, states = block.down(x, emb, ctx, ioi)
            skips.extend(states)
        x = self.mid_block.resnets[0](x, emb, ioi)
        x = self.mid_block.attentions[0](x, ctx, ioi)
        x = self.mid_block.resnets[1](x, emb, ioi)
        for block in self.up_blocks:
            x = block.up(x, skips, emb, ctx, ioi)
        x = self.conv_out(F.silu(self.conv_norm_out(x)))
        return x.reshape(b, f, *x.shape[1:])


class DownEncoderBlock2D(nn.Module):
    def __init__(self, cin, cout, layers, groups, downsample):
        super().__init__()
        self.resnets = nn.ModuleList([ResnetBlock2D(cin if i == 0 else cout, cout, None, groups, 1e-6) for i in range(layers)])
        if downsample:
            self.downsamplers = nn.ModuleList([Downsample2D(cout, 0)])

    def forward(self, x):
        for r in self.resnets:
            x = r(x)
        return self.downsamplers[0](x) if hasattr(self, "downsamplers") else x


class VaeMidBlock(nn.Module):
    """UNetMidBlock2D (encoder) or MidBlockTemporalDecoder (decoder): resnet, attention, resnet."""

    def __init__(self, c, groups, temporal):
        super().__init__()
        if temporal:
            self.resnets = nn.ModuleList([SpatioTemporalResBlock(c, c, None, groups, 1e-6, 1e-5, 0.0, False) for _ in range(2)])
        else:
            self.resnets = nn.ModuleList([ResnetBlock2D(c, c, None, groups, 1e-6) for _ in range(2)])
        self.attentions = nn.ModuleList([Attention(c, 1, c, bias=True, groups=groups)])
        self.temporal = temporal

    def forward(self, x, ioi=None):
        run = (lambda r, h: r(h, None, ioi)) if self.temporal else (lambda r, h: r(h))
        x = run(self.resnets[0], x)
        x = self.attentions[0](x)
        return run(self.resnets[1], x)


class VaeEncoder(nn.Module):
    """diffusers' Encoder with double_z, then quant_conv: outputs the moments (mean, log-variance)."""

    def __init__(self, cfg):
        super().__init__()
        ch, layers, g = cfg["block_out_channels"], cfg["layers_per_block"], cfg.get("norm_num_groups", 32)
        self.conv_in = nn.Conv2d(cfg["in_channels"], ch[0], 3, padding=1)
        self.down_blocks = nn.ModuleList()
        out = ch[0]
        for i, c in enumerate(ch):
            cin, out = out, c
            self.down_blocks.append(DownEncoderBlock2D(cin, out, layers, g, i < len(ch) - 1))
        self.mid_block = VaeMidBlock(ch[-1], g, temporal=False)
        self.conv_norm_out = group_norm(ch[-1], g, 1e-6)
        self.conv_out = nn.Conv2d(ch[-1], 2 * cfg["latent_channels"], 3, padding=1)
        self.quant_conv = nn.Conv2d(2 * cfg["latent_channels"], 2 * cfg["latent_channels"], 1)

    def forward(self, sample):
        x = self.conv_in(sample)
        for b in self.down_blocks:
            x = b(x)
        x = self.mid_block(x)
        return self.quant_conv(self.conv_out(F.silu(self.conv_norm_out(x))))


class UpBlockTemporalDecoder(nn.Module):
    def __init__(self, cin, cout, layers, groups, upsample):
        super().__init__()
        self.resnets = nn.ModuleList(
            [SpatioTemporalResBlock(cin if i == 0 else cout, cout, None, groups, 1e-6, 1e-5, 0.0, False) for i in range(layers)])
        if upsample:
            self.upsamplers = nn.ModuleList([Upsample2D(cout)])

    def forward(self, x, ioi):
        for r in self.resnets:
            x = r(x, None, ioi)
        return self.upsamplers[0](x) if hasattr(self, "upsamplers") else x


class TemporalDecoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        ch, layers, g = cfg["block_out_channels"], cfg["layers_per_block"], cfg.get("norm_num_groups", 32)
        self.conv_in = nn.Conv2d(cfg["latent_channels"], ch[-1], 3, padding=1)
        self.mid_block = VaeMidBlock(ch[-1], g, temporal=True)
        rev = list(reversed(ch))
        self.up_blocks = nn.ModuleList()
        out = rev[0]
        for i, c in enumerate(rev):
            prev, out = out, c
            self.up_blocks.append(UpBlockTemporalDecoder(prev, out, layers + 1, g, i < len(ch) - 1))
        self.conv_norm_out = group_norm(ch[0], g, 1e-6)
        self.conv_out = nn.Conv2d(ch[0], cfg["out_channels"], 3, padding=1)
        self.time_conv_out = nn.Conv3d(cfg["out_channels"], cfg["out_channels"], (3, 1, 1), padding=(1, 0, 0))

    def forward(self, z, num_frames):
        bf = z.shape[0]
        b = bf // num_frames
        ioi = torch.zeros(b, num_frames, dtype=z.dtype, device=z.device)
        x = self.mid_block(self.conv_in(z), ioi)
        for u in self.up_blocks:
            x = u(x, ioi)
        x = self.conv_out(F.silu(self.conv_norm_out(x)))
        c, h, w = x.shape[1:]
        x = x[None].reshape(b, num_frames, c, h, w).permute(0, 2, 1, 3, 4)
        x = self.time_conv_out(x)
        return x.permute(0, 2, 1, 3, 4).reshape(bf, c, h, w)


class ClipEncoderLayer(nn.Module):
    def __init__(self, d, heads, inner):
        super().__init__()
        self.heads = heads
        self.layer_norm1 = nn.LayerNorm(d)
        self.self_attn = nn.ModuleDict({k: nn.Linear(d, d) for k in ("q_proj", "k_proj", "v_proj", "out_proj")})
        self.layer_norm2 = nn.LayerNorm(d)
        self.mlp = nn.ModuleDict({"fc1": nn.Linear(d, inner), "fc2": nn.Linear(inner, d)})

    def forward(self, x):
        b, n, d = x.shape
        a = self.self_attn
        h = self.layer_norm1(x)
        split = lambda t: t.reshape(b, n, self.heads, -1).transpose(1, 2)
        q, k, v = split(a["q_proj"](h)), split(a["k_proj"](h)), split(a["v_proj"](h))
        w = torch.softmax(torch.matmul(q, k.transpose(-1, -2)) * (d // self.heads) ** -0.5, dim=-1)
        x = x + a["out_proj"](torch.matmul(w, v).transpose(1, 2).reshape(b, n, d))
        return x + self.mlp["fc2"](F.gelu(self.mlp["fc1"](self.layer_norm2(x))))


class ClipVisionWithProjection(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, p = cfg["hidden_size"], cfg["patch_size"]
        n = (cfg["image_size"] // p) ** 2
        self.patch_embedding = nn.Conv2d(cfg["num_channels"], d, p, stride=p, bias=False)
        self.class_embedding = nn.Parameter(torch.randn(d) * 0.02)
        self.position_embedding = nn.Parameter(torch.randn(n + 1, d) * 0.02)
        self.pre_layrnorm = nn.LayerNorm(d, eps=cfg["layer_norm_eps"])
        self.layers = nn.ModuleList([ClipEncoderLayer(d, cfg["num_attention_heads"], cfg["intermediate_size"])
                                     for _ in range(cfg["num_hidden_layers"])])
        self.post_layernorm = nn.LayerNorm(d, eps=cfg["layer_norm_eps"])
        self.visual_projection = nn.Linear(d, cfg["projection_dim"], bias=False)

    def forward(self, pixel_values):
        x = self.patch_embedding(pixel_values).flatten(2).transpose(1, 2)
        cls = self.class_embedding.expand(x.shape[0], 1, -1)
        x = self.pre_layrnorm(torch.cat([cls, x], dim=1) + self.position_embedding)
        for layer in self.layers:
            x = layer(x)
        return self.visual_projection(self.post_layernorm(x[:, 0]))
