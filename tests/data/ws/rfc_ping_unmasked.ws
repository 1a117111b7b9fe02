# RFC 6455 §5.7: an unmasked ping ("Hello")
role client
> hex 89 05 48 65 6c 6c 6f
= ping "Hello"
