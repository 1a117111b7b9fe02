# a masked text message in three fragments, each with its own key
role server
> frame more text mask=11223344 "He"
> frame more cont mask=55667788 "ll"
> frame cont mask=99aabbcc "o"
= text "Hello"
