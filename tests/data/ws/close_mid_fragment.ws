# a close frame in the middle of a message ends the session; the partial message is dropped
role server
> frame more text "half"
> frame close "\x03\xe8bye"
= close 1000 "bye"
