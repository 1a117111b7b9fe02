# RFC 6455 §5.7: a single-frame masked text message (client to server)
role server
> hex 81 85 37 fa 21 3d 7f 9f 4d 51 58
= text "Hello"
