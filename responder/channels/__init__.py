"""Outbound channels: `smtp` sends e-mail replies, `linkedin` is manual (no member messaging API),
`outbox` delivers approved replies exactly once, `digest` mails the daily summary."""
