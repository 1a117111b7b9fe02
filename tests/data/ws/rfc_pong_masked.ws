# RFC 6455 §5.7: a masked pong answering it
role server
> hex 8a 85 37 fa 21 3d 7f 9f 4d 51 58
= pong "Hello"
