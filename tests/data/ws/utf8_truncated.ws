# a text message that ends inside a character
role client
> frame more text "abc"
> frame cont "\xe2\x82"
= error 1007
