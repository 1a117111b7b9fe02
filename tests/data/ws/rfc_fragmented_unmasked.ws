# RFC 6455 §5.7: a fragmented unmasked text message
role client
> hex 01 03 48 65 6c
> hex 80 02 6c 6f
= text "Hello"
