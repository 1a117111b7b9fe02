# empty text and binary messages, and an empty message in empty fragments
role server
> frame text ""
> frame binary ""
> frame more text ""
> frame cont ""
= text ""
= binary ""
= text ""
