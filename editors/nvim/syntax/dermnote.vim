" Vim syntax for dermls encounter notes (*.derm, filetype dermnote): headings,
" field labels (the names in grammar/vocabulary.json), CPT codes with
" modifiers and units, ICD-10-CM codes, sizes, laterality, specimen letters
" and <!-- comments -->. The language server's semantic tokens refine it.
" The TextMate grammar grammar/dermnote.tmLanguage.json is the reference.
if exists("b:current_syntax")
  finish
endif

syn case ignore
syn match dermnoteEncounter /\v^ {0,3}#\s+encounter>.*$/ contains=dermnoteDate
syn match dermnoteHeading /\v^ {0,3}#{1,6}(\s.*)?$/ contains=dermnoteCpt,dermnoteIcd,dermnoteDate
syn match dermnoteLabel /\v(^\s*(([-*+]|\d{1,3}[.)])\s+)?)@<=(evaluation and management|total excised diameter|clinical description|clinical indication|procedure performed|lesion description|anatomic location|body surface area|excision diameter|greatest diameter|number of lesions|clinical margins|excised diameter|pathology result|reason for visit|surgical margins|treatment number|chief complaint|clinical margin|date of service|diagnosis codes|lesions treated|surgical margin|histopathology|no\. of lesions|number treated|session number|treatment area|anatomic site|clinical size|wound closure|# of lesions|area treated|closure type|excised size|final defect|office visit|anaesthesia|defect size|description|haemostasis|indications|lesion size|path report|repair type|treatment #|anesthesia|anesthetic|hemostasis|indication|instrument|morphology|patient id|procedures|visit type|wound size|attending|body site|clinician|diagnoses|diagnosis|e\&m level|e\/m level|follow up|follow-up|icd-10-cm|insurance|locations|pathology|physician|procedure|session #|technique|treatment|coverage|diameter|dx codes|e\/m code|findings|followup|location|modality|provider|quantity|specimen|closure|consent|fluence|insurer|lesions|margins|patient|session|surgeon|defect|energy|icd-10|lesion|margin|method|number|reason|repair|count|icd10|payer|payor|sites|visit|wound|area|date|dose|name|path|plan|site|size|bsa|dos|e\&m|e\/m|f\/u|loc|mrn|cc|dx|em|pt|stage\s*(\d+|iii|ii|iv|vi|v|i))\ze\s*:/
syn match dermnoteLaterality /\v<(left|right|bilateral|bilaterally|midline)>|<b\/l>/
syn match dermnoteSize /\v(<|\.)\d*\.?\d+\s*((cm|mm)\s*)?[x×]\s*\d*\.?\d+\s*(cm|mm)>/
syn match dermnoteSize /\v(<|\.)\d*\.?\d+\s*(-|to)?\s*(\d*\.?\d+\s*)?(cm|mm)>/
syn case match

syn match dermnoteLaterality /\v<[LR]>[\/&.]@!/
syn match dermnoteCpt /\v<(\d{4}[0-9FT]|[A-Z]\d{4})>(\.\d)@!(-(\d{2}|[A-Za-z][A-Za-z0-9])>)*/ contains=dermnoteModifier
syn match dermnoteModifier /\v-\zs(\d{2}|[A-Za-z][A-Za-z0-9])>/ contained
syn match dermnoteUnits /\v(<(\d{4}[0-9FT]|[A-Z]\d{4})(-\w\w)*\s+)@<=[x×]\d+>/
syn match dermnoteIcd /\v<[A-Z]\d[0-9A-Z]\.[0-9A-Z]{1,4}>/
syn match dermnoteDate /\v<\d{4}-\d{2}-\d{2}>/
syn match dermnoteSpecimen /\v(^\s*(([-*+]|\d{1,3}[.)])\s+)?)@<=\([A-Za-z]\)/
syn match dermnoteBullet /\v^\s*\zs([-*+]|\d{1,3}[.)])\ze\s/
syn region dermnoteComment start=/<!--/ end=/-->/ contains=dermnoteIgnore,dermnoteRuleCode
syn match dermnoteIgnore /\vdermls-ignore(-next-line|-file)?/ contained
syn match dermnoteRuleCode /\v<(doc|code|payer|note)\/[a-z0-9-]+/ contained

hi def link dermnoteEncounter Title
hi def link dermnoteHeading Title
hi def link dermnoteLabel Identifier
hi def link dermnoteCpt Number
hi def link dermnoteModifier StorageClass
hi def link dermnoteUnits Number
hi def link dermnoteIcd Constant
hi def link dermnoteSize Float
hi def link dermnoteLaterality Special
hi def link dermnoteDate Number
hi def link dermnoteSpecimen Character
hi def link dermnoteBullet Delimiter
hi def link dermnoteComment Comment
hi def link dermnoteIgnore PreProc
hi def link dermnoteRuleCode Constant

let b:current_syntax = "dermnote"
