package wire

// Field is one member of a block or a transaction as it was read: its JSON
// kind and, for a string or a number, its value. The zero Field is a
// missing member.
type Field struct {
	Present bool
	Kind    Kind
	Str     string // Kind == String
	Num     Num    // Kind == Number
}

// StringField returns a string member.
func StringField(s string) Field { return Field{Present: true, Kind: String, Str: s} }

// IntField returns an integer member.
func IntField(n int64) Field { return fieldOf(IntValue(n)) }

// FloatField returns a float member, written as Python writes it.
func FloatField(f float64) Field { return fieldOf(FloatValue(f)) }

// NumberField reads text, written as a JSON number, into a member.
func NumberField(text string) (Field, error) {
	v, err := Parse([]byte(text))
	if err != nil {
		return Field{}, err
	}
	if v.Kind != Number {
		return Field{}, &SyntaxError{Msg: "not a JSON number"}
	}
	return fieldOf(v), nil
}

// Int64 returns the member's value if it is an integer that fits an int64.
func (f Field) Int64() (int64, bool) {
	if f.Kind != Number {
		return 0, false
	}
	return f.Num.Int64()
}

func fieldOf(v Value) Field {
	f := Field{Present: true, Kind: v.Kind}
	switch v.Kind {
	case String:
		f.Str = v.Str
	case Number:
		f.Num = v.Num
	}
	return f
}

// field returns the member key of the object v.
func field(v Value, key string) Field {
	m, ok := v.Get(key)
	if !ok {
		return Field{}
	}
	return fieldOf(m)
}

// value is the JSON of a member; a missing member is left out by the caller.
func (f Field) value() Value {
	return Value{Kind: f.Kind, Str: f.Str, Num: f.Num}
}

// Transaction is a transaction as it was read: the members the rules look
// at, typed. Any other member is kept in Raw, since it is part of the hash.
type Transaction struct {
	// Kind is the JSON kind of the transaction; the members are set only
	// for an object.
	Kind      Kind
	Sender    Field
	Recipient Field
	Amount    Field // the number as written: amounts convert from its text
	Timestamp Field
	Type      Field // "sharing" on a relay between nodes
	// Signature is "signature", which a key-address spend carries.
	Signature Field
	// Signed is set when the sender is a string that starts with
	// KeyAddressPrefix: the canonical JSON of the transaction without
	// "signature" (and, for a posted one, without "type"), which is what
	// a key-address spend signs (SPEC §11).
	Signed []byte
	// ID and Raw are set for a block's transactions, and for a posted
	// key-address spend: the hash of the transaction and its compact JSON,
	// as stored.
	ID  string
	Raw []byte
}

// KeyAddressPrefix starts every key address (package keys holds their
// rules). The codec needs it only to know which transactions are signed,
// and so which need their signed message.
const KeyAddressPrefix = "pb1"

// SignedMessage returns what a key-address spend signs (SPEC §11): the
// canonical JSON of the transaction tx without its "signature" member, so
// every other member is covered. Package keys signs and checks it.
func SignedMessage(tx Value) []byte {
	if tx.Kind == Object {
		tx = without(tx, "signature")
	}
	return AppendCanonical(nil, tx)
}

// without returns the object v without the members named drop.
func without(v Value, drop ...string) Value {
	members := make([]Member, 0, len(v.Obj))
	for _, m := range v.Obj {
		keep := true
		for _, d := range drop {
			keep = keep && m.Key != d
		}
		if keep {
			members = append(members, m)
		}
	}
	return Value{Kind: Object, Obj: members}
}

// signedBy reports whether t's sender is a string that may be a key
// address, so that t may be signed.
func (t *Transaction) signedBy() bool {
	return t.Sender.Kind == String && len(t.Sender.Str) > len(KeyAddressPrefix) && t.Sender.Str[:len(KeyAddressPrefix)] == KeyAddressPrefix
}

func transactionOf(v Value) Transaction {
	t := Transaction{Kind: v.Kind}
	if v.Kind == Object {
		t.Sender = field(v, "sender")
		t.Recipient = field(v, "recipient")
		t.Amount = field(v, "amount")
		t.Timestamp = field(v, "timestamp")
		t.Type = field(v, "type")
		t.Signature = field(v, "signature")
	}
	return t
}

// ParseTransaction reads a transaction posted on its own, such as the body
// of POST /transactions/new. ID and Raw are left empty, since the node
// writes the transaction it stores anew, except for a key-address spend:
// it is signed, so the node keeps it whole but for the transport key
// "type", and ID and Raw are those of the transaction without "type".
func ParseTransaction(data []byte) (Transaction, error) {
	v, err := Parse(data)
	if err != nil {
		return Transaction{}, err
	}
	t := transactionOf(v)
	if t.Kind == Object && t.signedBy() {
		kept := without(v, "type")
		t.ID = Hash(kept)
		t.Raw = AppendCompact(nil, kept)
		t.Signed = SignedMessage(kept)
	}
	return t, nil
}

// Block is a block as it was read, decoded once: the members the rules
// look at, typed, and the block's hash and compact JSON, which keep every
// member, known or not.
type Block struct {
	// Kind is the JSON kind of the block; the members are set only for
	// an object.
	Kind         Kind
	Index        Field
	Timestamp    Field
	Nonce        Field
	PreviousHash Field // a string, or the integer 1 in a tutorial genesis
	// TransactionsKind is the JSON kind of "transactions" (Null when it is
	// missing); Transactions holds its elements when it is a list.
	TransactionsKind Kind
	Transactions     []Transaction
	Hash             string
	Raw              []byte
}

// BlockOf decodes the block v.
func BlockOf(v Value) Block {
	b := Block{Kind: v.Kind, Hash: Hash(v), Raw: AppendCompact(nil, v)}
	if v.Kind != Object {
		return b
	}
	b.Index = field(v, "index")
	b.Timestamp = field(v, "timestamp")
	b.Nonce = field(v, "nonce")
	b.PreviousHash = field(v, "previous_hash")
	list, _ := v.Get("transactions")
	b.TransactionsKind = list.Kind
	if list.Kind == Array {
		b.Transactions = make([]Transaction, len(list.Arr))
		for i, tv := range list.Arr {
			t := transactionOf(tv)
			if tv.Kind == Object {
				t.ID = Hash(tv)
				t.Raw = AppendCompact(nil, tv)
				if t.signedBy() {
					t.Signed = SignedMessage(tv)
				}
			}
			b.Transactions[i] = t
		}
	}
	return b
}

// ParseBlock reads one block.
func ParseBlock(data []byte) (Block, error) {
	v, err := Parse(data)
	if err != nil {
		return Block{}, err
	}
	return BlockOf(v), nil
}

// Blocks decodes each block of a chain.
func Blocks(chain []Value) []Block {
	bs := make([]Block, len(chain))
	for i, v := range chain {
		bs[i] = BlockOf(v)
	}
	return bs
}

// EncodeTransaction writes a new transaction of exactly the four tutorial
// members and returns its hash and compact JSON.
func EncodeTransaction(sender, recipient string, amount, timestamp Field) (id string, raw []byte) {
	v := Value{Kind: Object, Obj: []Member{ // sorted by key
		{Key: "amount", Value: amount.value()},
		{Key: "recipient", Value: StringValue(recipient)},
		{Key: "sender", Value: StringValue(sender)},
		{Key: "timestamp", Value: timestamp.value()},
	}}
	return Hash(v), AppendCompact(nil, v)
}

// EncodeBlock writes a block of exactly the five tutorial members, its
// transactions as their compact JSON txs holds them, and returns its hash
// and compact JSON.
func EncodeBlock(index int64, timestamp float64, txs [][]byte, nonce int64, previousHash Field) (hash string, raw []byte, err error) {
	v, err := blockValue(index, timestamp, txs, nonce, previousHash)
	if err != nil {
		return "", nil, err
	}
	return Hash(v), AppendCompact(nil, v), nil
}

// blockValue is the block of exactly the five tutorial members.
func blockValue(index int64, timestamp float64, txs [][]byte, nonce int64, previousHash Field) (Value, error) {
	values := make([]Value, len(txs))
	for i, t := range txs {
		var err error
		if values[i], err = Parse(t); err != nil {
			return Value{}, err
		}
	}
	return Value{Kind: Object, Obj: []Member{ // sorted by key
		{Key: "index", Value: IntValue(index)},
		{Key: "nonce", Value: IntValue(nonce)},
		{Key: "previous_hash", Value: previousHash.value()},
		{Key: "timestamp", Value: FloatValue(timestamp)},
		{Key: "transactions", Value: Value{Kind: Array, Arr: values}},
	}}, nil
}

// WorkKey is the member a miner varies so that a block's hash meets rule W
// (SPEC §11). It sorts after every member EncodeBlock writes, so the
// canonical JSON before its value is the same whatever the value.
const WorkKey = "work"

// EncodeBlockForWork writes the block EncodeBlock writes with one more
// member, "work", whose value is left open: canonical is the block's
// canonical JSON up to and including `"work": `, compact its compact JSON
// up to and including `"work":`. The block whose work is w is canonical,
// then w in decimal, then "}" (its hash) and compact, w, "}" (as served).
func EncodeBlockForWork(index int64, timestamp float64, txs [][]byte, nonce int64, previousHash Field) (canonical, compact []byte, err error) {
	v, err := blockValue(index, timestamp, txs, nonce, previousHash)
	if err != nil {
		return nil, nil, err
	}
	canonical = AppendCanonical(nil, v)
	canonical = append(canonical[:len(canonical)-1], `, "`+WorkKey+`": `...)
	compact = AppendCompact(nil, v)
	compact = append(compact[:len(compact)-1], `,"`+WorkKey+`":`...)
	return canonical, compact, nil
}
