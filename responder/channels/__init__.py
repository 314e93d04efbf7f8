"""Outbound channels: `smtp` sends e-mail replies, `linkedin` is manual (no member messaging API)."""
