# characters split across fragments: 2-byte, 3-byte and 4-byte sequences cut at every inner byte
role server
> frame more text "a\xc3"
> frame more cont "\xa9\xe2"
> frame more cont "\x82"
> frame more cont "\xac\xf0\x9f"
> frame more cont "\x98"
> frame cont "\x80z"
= text "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z"
