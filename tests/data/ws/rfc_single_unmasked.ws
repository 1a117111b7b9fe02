# RFC 6455 §5.7: a single-frame unmasked text message (server to client)
role client
> hex 81 05 48 65 6c 6c 6f
= text "Hello"
