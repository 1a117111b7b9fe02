# a new text frame while a fragmented message is unfinished
role server
> frame more text "a"
> frame text "b"
= error 1002
