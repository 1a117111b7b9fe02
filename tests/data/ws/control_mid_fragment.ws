# ping and pong between fragments are delivered at once; the message completes after them
role server
> frame more text "Hel"
> frame ping "p1"
> frame more cont "l"
> frame pong ""
> frame cont "o"
= ping "p1"
= pong ""
= text "Hello"
