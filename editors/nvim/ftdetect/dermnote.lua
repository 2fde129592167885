-- *.derm files are dermatology encounter notes: filetype `dermnote`.
vim.filetype.add({ extension = { derm = "dermnote" } })
